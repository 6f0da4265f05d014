import { expect, test } from 'bun:test';
import type { StreamQueue } from '../../shared/queue/stream.ts';
import { QueueGauge } from './queue-gauge.ts';

/** A queue whose length() is counted, and a clock the test moves. */
function setup(initial: number) {
  const state = { length: initial, reads: 0, now: 0 };
  const queue = { length: async () => (state.reads++, state.length) } as unknown as StreamQueue;
  const gauge = new QueueGauge(queue, 100, () => state.now);
  return { state, gauge };
}

test('a fresh reading admits uploads without asking Redis again', async () => {
  const { state, gauge } = setup(3);
  expect(await gauge.hasRoom(10)).toBe(true);
  gauge.record(4);
  state.now = 50;
  expect(await gauge.hasRoom(10)).toBe(true);
  expect(state.reads).toBe(1);
});

test('a reading older than its age limit is read again', async () => {
  const { state, gauge } = setup(3);
  await gauge.hasRoom(10);
  state.now = 150;
  state.length = 10;
  expect(await gauge.hasRoom(10)).toBe(false);
  expect(state.reads).toBe(2);
});

test('a full reading is checked afresh, so a drained queue admits again at once', async () => {
  const { state, gauge } = setup(0);
  gauge.record(10);
  state.length = 2;
  expect(await gauge.hasRoom(10)).toBe(true);
  expect(state.reads).toBe(1);
});
