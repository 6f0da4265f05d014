import { afterEach, expect, test } from 'bun:test';
import { HEAP_HINT_BYTES, heapHintEnv } from './heap-hint.ts';

const saved = process.env.BUN_JSC_forceRAMSize;
afterEach(() => {
  if (saved === undefined) delete process.env.BUN_JSC_forceRAMSize;
  else process.env.BUN_JSC_forceRAMSize = saved;
});

test('a spawned service is told the machine has 512 MiB unless the environment says otherwise', () => {
  delete process.env.BUN_JSC_forceRAMSize;
  expect(heapHintEnv()).toEqual({ BUN_JSC_forceRAMSize: String(HEAP_HINT_BYTES) });
  expect(HEAP_HINT_BYTES).toBe(536_870_912);
  process.env.BUN_JSC_forceRAMSize = '1073741824';
  expect(heapHintEnv()).toEqual({ BUN_JSC_forceRAMSize: '1073741824' });
});
