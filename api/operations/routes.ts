import { Elysia } from 'elysia';
import type { OpenAPIV3 } from 'openapi-types';
import { OPERATIONS } from '../../shared/operations/index.ts';
import { MAX_STEPS } from '../../shared/operations/steps.ts';
import { json } from '../http-errors.ts';

/**
 * The operations a pipeline step may name, each with the JSON schema of its
 * parameters: what the page's operations editor builds its fields from, so
 * the page and the API's validation read one contract.
 */
function operationsCatalogue() {
  return {
    max_steps: MAX_STEPS,
    operations: OPERATIONS.map((o) => ({
      name: o.name,
      summary: o.summary,
      // Plain JSON: TypeBox's symbol keys dropped.
      params: JSON.parse(JSON.stringify(o.params)) as Record<string, unknown>,
      example: o.example,
    })),
  };
}

const catalogueSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['max_steps', 'operations'],
  properties: {
    max_steps: { type: 'integer', description: 'the most steps one `operations` value may hold' },
    operations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'summary', 'params', 'example'],
        properties: {
          name: { type: 'string', description: 'the step\'s `op`' },
          summary: { type: 'string' },
          params: { type: 'object', description: 'JSON Schema (draft 7, as TypeBox writes it) of the step\'s parameters besides `op`', additionalProperties: true },
          example: { type: 'object', description: 'typical parameters', additionalProperties: true },
        },
      },
    },
  },
};

export function operationsRoute() {
  const body = operationsCatalogue();
  return new Elysia({ name: 'operations' }).get('/api/operations', () => json(200, body, { 'cache-control': 'no-cache' }), {
    detail: {
      tags: ['operations'],
      summary: 'The operations a pipeline step may name, with the JSON schema of their parameters',
      description: 'What the page\'s operations editor builds its fields from; the same schemas validate `operations` on upload.',
      responses: { 200: { description: 'the catalogue', content: { 'application/json': { schema: catalogueSchema } } } },
    },
  });
}
