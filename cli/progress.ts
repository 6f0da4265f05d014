import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** How many of the photos have finished, and how. */
export interface Tally {
  total: number;
  done: number;
  failed: number;
}

/** What a command shows while it waits: a count that changes, and lines worth keeping. */
export interface Progress {
  update(tally: Tally, stage: string): void;
  /** A line printed above the bar (or as it is, without a terminal). */
  note(line: string): void;
  /** Draws the last state and lets go of the terminal; a second call does nothing. */
  stop(): void;
}

export function throughput(finished: number, startedAt: number, now = performance.now()): string {
  const seconds = (now - startedAt) / 1000;
  return seconds > 0 ? (finished / seconds).toFixed(2) : '0.00';
}

/**
 * A redrawn bar on a terminal; plain lines, one per change, anywhere else
 * (a pipe, a file, CI), where redrawing would leave escape codes behind.
 */
export function openProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const startedAt = performance.now();
  return stream.isTTY ? new BarProgress(stream, startedAt) : new LineProgress(stream, startedAt);
}

class BarProgress implements Progress {
  private readonly bars: MultiBar;
  private bar: SingleBar | undefined;
  private stopped = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly startedAt: number,
  ) {
    this.bars = new MultiBar(
      {
        stream,
        format: '{bar} {value}/{total} | done {done} | failed {failed} | {rate} photos/s | {stage}',
        hideCursor: true,
        barsize: 30,
        // Keep the final bar on screen: it is the run's summary line.
        clearOnComplete: false,
        stopOnComplete: false,
      },
      Presets.shades_classic,
    );
  }

  update(t: Tally, stage: string): void {
    const payload = { done: t.done, failed: t.failed, stage, rate: throughput(t.done + t.failed, this.startedAt) };
    if (!this.bar) this.bar = this.bars.create(t.total, 0, payload);
    this.bar.setTotal(t.total);
    this.bar.update(t.done + t.failed, payload);
  }

  note(line: string): void {
    // A line wider than the terminal would wrap under the bar, and the redraw
    // would erase its tail: cut it (the summary repeats every failure in full).
    const width = this.stream.columns ?? 80;
    const chars = [...line];
    this.bars.log(`${chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : line}\n`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // MultiBar.stop() drops notes not yet drawn (they wait for the next
    // redraw tick): draw once more first, so a last failure is not lost.
    this.bars.update();
    this.bars.stop();
  }
}

class LineProgress implements Progress {
  private last = '';

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly startedAt: number,
  ) {}

  update(t: Tally, stage: string): void {
    const counts = `${t.done + t.failed}/${t.total} done ${t.done} failed ${t.failed}`;
    // Only a change of counts or stage is news; the rate alone is not.
    if (`${counts} ${stage}` === this.last) return;
    this.last = `${counts} ${stage}`;
    this.stream.write(`progress ${counts} ${throughput(t.done + t.failed, this.startedAt)} photos/s ${stage}\n`);
  }

  note(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {}
}
