// Live job status for the page over ONE Server-Sent Events stream
// (GET /api/images/events?ids=…): whenever an upload starts, the stream is
// reopened with every id still in progress. The server sends each job's
// current status first, so nothing is missed across a reopen.

const FINAL = new Set(['done', 'failed']);

export class JobWatcher {
  /** @param {(event: {id: string, status: string, updated_at: string, error?: {code: string, message: string}}) => void} onStatus */
  constructor(onStatus) {
    this.onStatus = onStatus;
    this.active = new Set();
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
