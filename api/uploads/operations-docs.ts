import type { TSchema } from '@sinclair/typebox';
import type { OpenAPIV3 } from 'openapi-types';
import { OPERATIONS } from '../../shared/operations/index.ts';
import { MAX_STEPS, stepsSchema } from '../../shared/operations/steps.ts';
import type { Operation } from '../../shared/operations/types.ts';

/**
 * A TypeBox schema as OpenAPI 3.0 reads it: plain JSON (TypeBox's symbol
 * keys dropped), `const` spelled as a one-value `enum`, which 3.0 lacks, and
 * a union of such values as one `enum` (Swagger UI offers only the first
 * member of an `anyOf` in its forms).
 */
export function openApiSchema(schema: TSchema): OpenAPIV3.SchemaObject {
  return JSON.parse(JSON.stringify(schema), (_key, value) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    if ('const' in value) {
      const { const: only, ...rest } = value as Record<string, unknown>;
      return { ...rest, enum: [only] };
    }
    const { anyOf, ...rest } = value as { anyOf?: unknown[] };
    const members = anyOf as Array<{ type?: unknown; enum?: unknown[] }> | undefined;
    const type = members?.[0]?.type;
    const values = members?.every((m) => Object.keys(m).length === 2 && m.type === type && m.enum?.length === 1);
    return values && members ? { ...rest, type, enum: members.map((m) => m.enum![0]) } : value;
  });
}

/** The `operations` form field: its schema, and a description listing every operation. */
export function operationsProperty(): OpenAPIV3.SchemaObject {
  return {
    ...openApiSchema(stepsSchema()),
    description:
      `optional JSON text: 1 to ${MAX_STEPS} steps \`{ "op": ..., ...parameters }\`, applied in order with one decode and one encode. ` +
      'Without it the pipeline is `[{"op":"caption"}]` (the description in a band under the photo). ' +
      'A watermark step\'s `image` names another file part of this form. Operations: ' +
      OPERATIONS.map((o) => `\`${o.name}\` — ${o.summary}`).join('; '),
  };
}

/** A shortcut's form fields: the operation's parameters, each as its schema says. */
export function parameterProperties(operation: Operation, fileParams: Record<string, string> = {}): Record<string, OpenAPIV3.SchemaObject> {
  const out: Record<string, OpenAPIV3.SchemaObject> = {};
  for (const [name, schema] of Object.entries(operation.params.properties as Record<string, TSchema>)) {
    const part = fileParams[name];
    out[part ?? name] = part
      ? { type: 'string', format: 'binary', description: `the ${name} as a file part (instead of the \`${name}\` parameter of the pipeline step)` }
      : openApiSchema(schema);
  }
  return out;
}
