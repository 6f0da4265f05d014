import { writeSync } from 'node:fs';

const EAGAIN_RETRIES = 20;
const EAGAIN_WAIT_MS = 5;
const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * A synchronous log destination that never throws: a line it cannot write
 * (ENOSPC on a full log disk, EIO, a closed pipe) is dropped and counted, and
 * the first line that can be written again is preceded by one saying how
 * many were dropped and why. pino's own file destination emits the write
 * error, which surfaces as an exception in whatever code logged, so a full
 * log disk stopped the workers; logging is not worth a job.
 */
export class DroppingSink {
  private dropped = 0;
  private reason = '';
  /** A line was cut short by the failure, so the next write starts a new one. */
  private broken = false;

  constructor(
    private readonly fd: number,
    private readonly who: { service: string; pid: number },
  ) {}

  write(line: string): void {
    if (this.dropped > 0) {
      const note = JSON.stringify({
        level: 40, time: new Date().toISOString(), ...this.who,
        msg: `dropped ${this.dropped} log line${this.dropped === 1 ? '' : 's'} (${this.reason})`,
      });
      if (!this.put(`${this.broken ? '\n' : ''}${note}\n`)) return void this.dropped++;
      this.dropped = 0;
      this.broken = false;
    }
    if (!this.put(line)) this.dropped++;
  }

  /** Writes are synchronous already; pino calls these on shutdown. */
  flush(): void {}
  flushSync(): void {}

  private put(text: string): boolean {
    let rest = Buffer.from(text);
    let retries = 0;
    while (rest.length > 0) {
      try {
        const n = writeSync(this.fd, rest);
        if (n < rest.length) this.broken = true;
        rest = rest.subarray(n);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
        // A full non-blocking pipe (stdout read slowly): wait a moment, as pino's own destination does.
        if (code === 'EAGAIN' && retries++ < EAGAIN_RETRIES) {
          Atomics.wait(nap, 0, 0, EAGAIN_WAIT_MS);
          continue;
        }
        this.reason = code;
        if (rest.length < Buffer.byteLength(text)) this.broken = true;
        return false;
      }
    }
    if (this.broken) this.broken = false;
    return true;
  }
}
