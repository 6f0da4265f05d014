import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { DroppingSink } from './log-sink.ts';

export type { Logger };

/**
 * The one logger of a process: JSON lines to stdout and to LOG_DIR/<service>.log.
 * Only main.ts calls this; everything else is handed a (child) logger.
 */
export function createLogger(service: string, opts: { logDir: string; logLevel: string }): Logger {
  mkdirSync(opts.logDir, { recursive: true });
  // Synchronous writes: a few lines per job cost microseconds, and the last
  // lines before a crash (the ones that matter) are never lost in a buffer.
  // A line that cannot be written (a full log disk) is dropped, never thrown.
  const who = { service, pid: process.pid };
  const streams = pino.multistream([
    { level: 'trace', stream: new DroppingSink(1, who) },
    { level: 'trace', stream: new DroppingSink(openSync(join(opts.logDir, `${service}.log`), 'a'), who) },
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
