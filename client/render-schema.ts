import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import { loadConfig } from '../shared/config.ts';
import { openApiDocument } from '../api/swagger/openapi-document.ts';

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));

/** Where the generated types live, beside this file. */
export const SCHEMA_FILE = new URL('./schema.d.ts', import.meta.url);

const HEADER =
  COMMENT_HEADER.trimEnd().replace(/\n \*\/$/, '') +
  '\n * Generated from the OpenAPI document the API serves at /swagger/json, with the\n' +
  ' * default settings: run `npm run client:generate` after changing any route or\n' +
  ' * its docs (client/schema.test.ts fails until you do).\n */\n\n';

/**
 * The TypeScript types of the API (paths, operations, components), as
 * openapi-typescript renders the document. The document is built with the
 * default settings, not this machine's environment, so the output is the same
 * wherever it is generated (limits such as BATCH_MAX_IMAGES appear in it).
 */
export async function renderSchema(): Promise<string> {
  const document = await openApiDocument(loadConfig({}));
  const ast = await openapiTS(document as unknown as OpenAPI3, {
    silent: true,
    // A file part is sent as a Blob (or File), not the string JSON would carry.
    transform: (schema) => (schema.format === 'binary' ? BLOB : undefined),
  });
  return HEADER + astToString(ast);
}
