import { describe, expect, test } from 'bun:test';
import { closeSync, openSync } from 'node:fs';
import pino from 'pino';
import { DroppingSink } from './log-sink.ts';

describe('a log destination on a full disk', () => {
  test('drops the lines it cannot write instead of throwing into the code that logged (/dev/full answers ENOSPC)', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const log = pino({}, new DroppingSink(fd, { service: 'test', pid: 1 }));
      for (let i = 0; i < 100; i++) log.info({ i }, 'a line that cannot be written');
      expect(() => log.error(new Error('still no room'))).not.toThrow();
    } finally {
      closeSync(fd);
    }
  });

  test('pino\'s own synchronous destination throws there (why kadr does not use it)', () => {
    const log = pino({}, pino.destination({ dest: '/dev/full', sync: true }));
    expect(() => log.info('a line that cannot be written')).toThrow();
  });
});
