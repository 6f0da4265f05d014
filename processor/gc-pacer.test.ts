import { expect, test } from 'bun:test';
import { gcEvery } from './gc-pacer.ts';

test('collects on every nth finished image and not in between', () => {
  let collections = 0;
  const tick = gcEvery(3, () => collections++);
  for (let i = 0; i < 10; i++) tick();
  expect(collections).toBe(3);
});
