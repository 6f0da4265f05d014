// Live job status for the page over ONE Server-Sent Events stream
// (GET /api/images/events?ids=…): whenever an upload starts, the stream is
// reopened with every id still in progress. The server sends each job's
// current status first, so nothing is missed across a reopen. Changes are
// ordered by each job's `version` (updated_at comes from several hosts'
// clocks): a status not newer than one already shown is dropped.

const FINAL = new Set(['done', 'failed']);

export class JobWatcher {
  /** @param {(event: {id: string, status: string, version: number, updated_at: string, error?: {code: string, message: string}}) => void} onStatus */
  constructor(onStatus) {
    this.onStatus = onStatus;
    this.active = new Set();
    /** @type {Map<string, number>} the highest version shown per job */
    this.versions = new Map();
    this.source = null;
  }

  watch(id) {
    this.active.add(id);
    this.reopen();
  }

  reopen() {
    if (this.source) this.source.close();
    this.source = null;
    if (this.active.size === 0) return;
    const ids = [...this.active].join(',');
    const source = new EventSource(`/api/images/events?ids=${encodeURIComponent(ids)}`);
    source.addEventListener('status', (message) => {
      const event = JSON.parse(message.data);
      const shown = this.versions.get(event.id);
      if (shown !== undefined && !(event.version > shown)) return;
      this.versions.set(event.id, event.version);
      if (FINAL.has(event.status)) this.active.delete(event.id);
      this.onStatus(event);
      // The server ends the stream after the last final status; closing here
      // keeps EventSource from reconnecting to a stream with nothing to say.
      if (this.active.size === 0 && this.source === source) {
        source.close();
        this.source = null;
      }
    });
    source.addEventListener('missing', (message) => {
      this.active.delete(JSON.parse(message.data).id);
      if (this.active.size === 0 && this.source === source) {
        source.close();
        this.source = null;
      }
    });
    this.source = source;
  }
}
