import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `faketime` package puts its library (amd64, arm64, or a plain /usr/lib). */
const LIBRARY_PLACES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
];

function libfaketime(): string {
  const found = LIBRARY_PLACES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`libfaketime is not installed (looked in ${LIBRARY_PLACES.join(', ')}): apt-get install faketime (.ci/run does)`);
  }
  return found;
}

/**
 * A wall clock for one service, shifted from the real one by libfaketime
 * (LD_PRELOAD into the Bun binary), and steppable while the service runs.
 * `offset` is libfaketime's syntax: "+25h", "-2s", "-10m".
 *
 * The offset is read from a file rather than FAKETIME, so `step()` can move
 * the clock of a running process (libfaketime re-reads it at most once a
 * second). The monotonic clock is left alone, as a real NTP step leaves it:
 * only wall-clock time (Date.now(), new Date()) moves.
 */
export class FakeClock {
  private constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {}

  static async create(offset: string): Promise<FakeClock> {
    libfaketime(); // before any file is made: a missing library fails loudly
    const dir = await mkdtemp(join(tmpdir(), 'kadr-clock-'));
    const clock = new FakeClock(dir, join(dir, 'offset'));
    await clock.step(offset);
    return clock;
  }

  /** The environment that runs a process on this clock. */
  env(): Record<string, string> {
    return {
      LD_PRELOAD: libfaketime(),
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  /** Moves the clock to `offset` from real time; running processes follow within about a second. */
  async step(offset: string): Promise<void> {
    await writeFile(this.file, `${offset}\n`);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
