import { expect, test } from 'bun:test';
import { OPERATIONS } from '../../shared/operations/index.ts';
import { APPLIED_OPERATIONS, appliedOperation } from './index.ts';

test('every shared operation has exactly one apply here, built on the same schema and checks', () => {
  expect(APPLIED_OPERATIONS.map((o) => o.name)).toEqual(OPERATIONS.map((o) => o.name));
  for (const shared of OPERATIONS) {
    const applied = appliedOperation(shared.name);
    expect(applied.params).toBe(shared.params);
    expect(applied.check).toBe(shared.check);
    expect(applied.files).toBe(shared.files);
  }
});

test('an operation without an apply is named in the error', () => {
  expect(() => appliedOperation('emboss')).toThrow('operation emboss is in shared/operations/ but has no apply in processor/operations/');
});
