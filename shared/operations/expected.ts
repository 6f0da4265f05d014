import type { TSchema } from '@sinclair/typebox';

/**
 * What a schema accepts, in words for an error message:
 * "an integer from 1 to 16384", "one of cover, contain", "#rrggbb".
 */
export function expected(schema: TSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) {
    const values = (schema.anyOf as TSchema[]).map((s) => s.const);
    if (values.every((v) => v !== undefined)) return `one of ${values.join(', ')}`;
    return (schema.anyOf as TSchema[]).map(expected).join(' or ');
  }
  switch (schema.type) {
    case 'integer':
      return `an integer${range(schema.minimum, schema.maximum)}`;
    case 'number':
      return `a number${range(schema.minimum, schema.maximum)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      if (schema.pattern === '^#[0-9a-fA-F]{6}$') return 'a colour #rrggbb';
      if (schema.pattern) return `text matching ${schema.pattern}`;
      return `text of ${schema.minLength ?? 0} to ${schema.maxLength ?? 'any number of'} characters`;
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return 'a valid value';
  }
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/** How a received value is shown: JSON, so "abc" and 12 and null read differently. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
