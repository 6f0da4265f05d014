import type { Logger } from './logger.ts';

export type CleanupStep = [name: string, run: () => Promise<unknown> | unknown];

/**
 * Returns an idempotent close(): runs every step in order even when one fails,
 * within `timeoutMs` overall. Steps should drain in-flight work first, then
 * close connections.
 */
export function makeClose(log: Logger, steps: CleanupStep[], timeoutMs: number): () => Promise<boolean> {
  let closing: Promise<boolean> | undefined;
  const runAll = async () => {
    let clean = true;
    for (const [name, run] of steps) {
      try {
        await run();
      } catch (err) {
        clean = false;
        log.error({ err, step: name }, 'shutdown step failed');
      }
    }
    return clean;
  };
  return () => {
    closing ??= Promise.race([
      runAll(),
      new Promise<boolean>((resolve) =>
        setTimeout(() => {
          log.error({ timeoutMs }, 'shutdown deadline passed; exiting with work unfinished (it stays pending)');
          resolve(false);
        }, timeoutMs).unref(),
      ),
    ]);
    return closing;
  };
}

/**
 * Wires a process: SIGTERM/SIGINT run `close` and exit; uncaught exceptions and
 * unhandled rejections are logged with their stack before exiting non-zero.
 */
export function onShutdown(log: Logger, close: () => Promise<boolean>): void {
  const exit = (code: number) => {
    log.flush();
    // Give the async log destinations a moment to write the last lines.
    setTimeout(() => process.exit(code), 50);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info({ signal }, 'shutting down');
      close().then((clean) => exit(clean ? 0 : 1));
    });
  }
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    close().finally(() => exit(1));
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled rejection');
    close().finally(() => exit(1));
  });
}

/** Logs a boot failure (bad config, unreachable dependency) plainly and exits 1. */
export function failBoot(service: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`[${service}] cannot start: ${message}\n`);
  process.exit(1);
}
