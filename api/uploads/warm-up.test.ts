import { expect, test } from 'bun:test';
import type { Redis } from '../../shared/redis.ts';
import { warmUpUploadPath } from './warm-up.ts';

test('warming up parses synthetic uploads and sends only PINGs to Redis', async () => {
  const sent: string[] = [];
  const fake = {
    multi: () => {
      const tx = { ping: () => (sent.push('PING'), tx), exec: async () => ['PONG'] };
      return tx;
    },
  } as unknown as Redis;
  await warmUpUploadPath(fake, { maxUploadBytes: 1 << 20, maxDescriptionLength: 200, maxInputPixels: 50_000_000 }, 5);
  expect(sent).toEqual(['PING', 'PING', 'PING', 'PING', 'PING']);
});
