import { expect, test } from 'bun:test';
import { renderSchema, SCHEMA_FILE } from './render-schema.ts';

test('the committed client matches the OpenAPI document the API serves', async () => {
  const committed = await Bun.file(SCHEMA_FILE).text();
  const current = await renderSchema();
  if (current !== committed) {
    throw new Error('the OpenAPI document changed and the client did not: run `npm run client:generate` and commit client/schema.d.ts');
  }
  expect(current).toBe(committed);
}, 30_000);
