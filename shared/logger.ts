import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The one logger of a process: JSON lines to stdout and to LOG_DIR/<service>.log.
 * Only main.ts calls this; everything else is handed a (child) logger.
 */
export function createLogger(service: string, opts: { logDir: string; logLevel: string }): Logger {
  mkdirSync(opts.logDir, { recursive: true });
  // Synchronous writes: a few lines per job cost microseconds, and the last
  // lines before a crash (the ones that matter) are never lost in a buffer.
  const streams = pino.multistream([
    { level: 'trace', stream: pino.destination({ dest: 1, sync: true }) },
    { level: 'trace', stream: pino.destination({ dest: join(opts.logDir, `${service}.log`), sync: true, mkdir: true }) },
  ]);
  return pino(
    {
      level: opts.logLevel,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    streams,
  );
}
