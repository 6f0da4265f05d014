import { el, timeElement } from './format.js';

const STATUSES = ['queued', 'processing', 'done', 'failed'];
let nextPanel = 0;

/**
 * One batch on the page: its counts, a progress bar, each photo's status
 * (failure reasons as text) and, once complete, the ZIP's link and expiry.
 * Only the one-line summary is a live region, so a screen reader hears the
 * progress without every row being read out again.
 */
export class BatchPanel {
  /** @param {string[]} names the photos' file names, in upload order */
  constructor(names) {
    const key = nextPanel++;
    this.summary = el('p', { class: 'batch-summary', role: 'status' }, `Sending ${names.length} photos…`);
    this.progress = el('progress', { id: `batch-progress-${key}`, max: names.length, value: 0 });
    this.counts = new Map(STATUSES.map((s) => [s, el('dd', { 'data-count': s }, '0')]));
    this.gauges = [
      el('label', { for: this.progress.id }, 'Batch progress'),
      this.progress,
      el('dl', { class: 'counters batch-counts' }, ...STATUSES.map((s) => el('div', {}, el('dt', {}, s), this.counts.get(s)))),
    ];
    this.jobs = el('ol', { class: 'batch-jobs', 'aria-label': 'Photos in this batch' });
    this.download = el('p', { class: 'batch-download', hidden: true });
    this.root = el(
      'li',
      { class: 'batch' },
      el('h3', {}, `Batch of ${names.length} photo${names.length === 1 ? '' : 's'}`),
      this.summary,
      ...this.gauges,
      this.jobs,
      this.download,
    );
    this.rows = names.map((name) => {
      const status = el('span', { class: 'status', 'data-status': 'sending' }, 'sending');
      const detail = el('span', { class: 'detail' });
      const row = el('li', {}, el('span', { class: 'name' }, name), ' ', status, ' ', detail);
      this.jobs.append(row);
      return { row, status, detail };
    });
  }

  /** The batch was refused or could not be sent: `reason` is shown as text. */
  refused(reason) {
    this.root.dataset.status = 'refused';
    this.summary.textContent = `Not accepted: ${reason}`;
    // Nothing was queued, so there is no progress to show.
    for (const node of this.gauges) node.hidden = true;
    for (const r of this.rows) {
      r.status.textContent = 'not sent';
      r.status.dataset.status = 'failed';
    }
  }

  /** Shows a snapshot of GET /api/batches/{id} (or its event stream). */
  show(batch) {
    this.root.dataset.id = batch.id;
    this.root.dataset.status = batch.status;
    for (const s of STATUSES) this.counts.get(s).textContent = String(batch.counts[s]);
    const ended = batch.counts.done + batch.counts.failed;
    this.progress.value = ended;
    this.progress.setAttribute('aria-valuetext', `${ended} of ${batch.image_count} finished`);
    const failed = batch.counts.failed ? `, ${batch.counts.failed} failed` : '';
    this.summary.textContent =
      batch.status === 'complete'
        ? `Complete: ${batch.counts.done} done${failed}. The ZIP is ready.`
        : `${ended} of ${batch.image_count} finished${failed}.`;
    for (const job of batch.jobs) {
      const r = this.rows[job.index];
      if (!r) continue;
      r.row.dataset.id = job.id;
      r.status.textContent = job.status;
      r.status.dataset.status = job.status;
      r.detail.textContent = job.status === 'failed' && job.error ? `Reason: ${job.error.message} (${job.error.code})` : '';
    }
    if (batch.status === 'complete' && batch.archive_url) {
      this.download.replaceChildren(
        el('a', { href: batch.archive_url, download: `batch-${batch.id}.zip`, class: 'button' }, 'Download ZIP'),
        ' available until ',
        timeElement(batch.expires_at),
        '.',
      );
      this.download.hidden = false;
    }
  }

  /** The batch's status can no longer be had (it expired, or the server forgot it). */
  lost() {
    if (this.root.dataset.status === 'complete') return;
    this.summary.textContent = 'The batch\'s status is no longer available; it may have expired.';
  }
}
