import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { expected, shown } from './expected.ts';
import { OPERATIONS } from './index.ts';
import type { Operation } from './types.ts';

/** The most steps one upload may ask for. */
export const MAX_STEPS = 20;

export interface Step {
  op: string;
  operation: Operation;
  /** The step's parameters, validated by the operation's schema (without `op`). */
  params: Record<string, unknown>;
}

/**
 * A pipeline that does not match the schemas. `where` is the path of the
 * fault (`[2].width`), `code` is invalid_json or invalid_operation.
 */
export class StepsError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
    readonly code: 'invalid_json' | 'invalid_operation' = 'invalid_operation',
  ) {
    super(`${where}: ${problem}`);
  }
}

const byName = new Map(OPERATIONS.map((o) => [o.name, o]));
const NAMES = OPERATIONS.map((o) => o.name).join(', ');

/** A step's whole schema: `op` and the operation's parameters. */
export function stepSchema(operation: Operation): TObject {
  return Type.Object(
    { op: Type.Literal(operation.name), ...operation.params.properties },
    { additionalProperties: false, title: operation.name, description: operation.summary, example: { op: operation.name, ...operation.example } },
  );
}

/** The `operations` field: an array of steps, the union discriminated by `op`. */
export function stepsSchema(): TSchema {
  return Type.Array(Type.Union(OPERATIONS.map(stepSchema)), { minItems: 1, maxItems: MAX_STEPS });
}

const checks = new Map<string, TypeCheck<TObject>>();
function checkerOf(operation: Operation): TypeCheck<TObject> {
  let check = checks.get(operation.name);
  if (!check) checks.set(operation.name, (check = TypeCompiler.Compile(operation.params)));
  return check;
}

/**
 * Validates one operation's parameters. `where` prefixes each fault's path
 * (`operations[2]` in a pipeline, empty for a shortcut's form fields).
 */
export function validateParams(operation: Operation, params: Record<string, unknown>, where: string): Record<string, unknown> {
  const check = checkerOf(operation);
  const first = check.Errors(params).First();
  if (first) {
    const name = first.path.slice(1).replaceAll('/', '.');
    const at = where ? `${where}.${name}` : name;
    if (first.type === ValueErrorType.ObjectAdditionalProperties) {
      const known = Object.keys(operation.params.properties);
      throw new StepsError(at, `unknown parameter of ${operation.name}; ${known.length ? `it takes ${known.join(', ')}` : 'it takes none'}`);
    }
    if (first.value === undefined) throw new StepsError(at, `is required: expected ${expected(first.schema)}`);
    throw new StepsError(at, `expected ${expected(first.schema)}, got ${shown(first.value)}`);
  }
  const rule = operation.check?.(params as never);
  if (rule) throw new StepsError(where ? `${where}.${rule.param}` : rule.param, rule.message);
  return params;
}

/** Validates a decoded `operations` value: 1 to MAX_STEPS known steps, a format step only last. */
export function validateSteps(value: unknown): Step[] {
  if (!Array.isArray(value)) throw new StepsError('operations', `expected an array of steps like [{"op":"resize","width":320}], got ${shown(value)}`);
  if (value.length < 1 || value.length > MAX_STEPS) {
    throw new StepsError('operations', `expected 1 to ${MAX_STEPS} steps, got ${value.length}`);
  }
  return value.map((raw: unknown, i): Step => {
    const where = `operations[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new StepsError(where, `expected an object like {"op":"grayscale"}, got ${shown(raw)}`);
    }
    const { op, ...params } = raw as Record<string, unknown>;
    if (op === undefined) throw new StepsError(`${where}.op`, `is required: expected one of ${NAMES}`);
    const operation = typeof op === 'string' ? byName.get(op) : undefined;
    if (!operation) throw new StepsError(`${where}.op`, `expected one of ${NAMES}, got ${shown(op)}`);
    if (operation.name === 'format' && i !== value.length - 1) {
      throw new StepsError(`${where}.op`, `format must be the last step (it sets the encoding of the result), found at step ${i + 1} of ${value.length}`);
    }
    return { op: operation.name, operation, params: validateParams(operation, params, where) };
  });
}

/** Parses the JSON text of an `operations` field and validates it. */
export function parseSteps(json: string): Step[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new StepsError('operations', `expected JSON text, an array of steps: ${(err as Error).message}`, 'invalid_json');
  }
  return validateSteps(value);
}

/** The file parts the steps refer to by name (watermark images), each once. */
export function referencedFiles(steps: Step[]): string[] {
  return [...new Set(steps.flatMap((s) => s.operation.files?.(s.params as never) ?? []))];
}

/** The steps as JSON text again, as they travel in the upload message. */
export function stepsJson(steps: Step[]): string {
  return JSON.stringify(steps.map((s) => ({ op: s.op, ...s.params })));
}
