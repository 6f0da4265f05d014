// npm run client:generate: rewrites client/schema.d.ts from the API's OpenAPI document.
import { fileURLToPath } from 'node:url';
import { renderSchema, SCHEMA_FILE } from './render-schema.ts';

const text = await renderSchema();
await Bun.write(SCHEMA_FILE, text);
console.log(`client: wrote ${fileURLToPath(SCHEMA_FILE)} (${text.length} characters)`);
