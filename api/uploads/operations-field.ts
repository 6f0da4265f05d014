import type { TSchema } from '@sinclair/typebox';
import { ValidationError } from '../../shared/errors.ts';
import { parseSteps, referencedFiles, StepsError, validateParams, type Step } from '../../shared/operations/steps.ts';
import type { Shortcut } from './shortcuts.ts';
import { readImagePart } from './file-part.ts';

/** Extra file parts (watermark images) one upload may carry, and the size of each. */
export const MAX_STEP_FILES = 4;
export const MAX_STEP_FILE_BYTES = 1024 * 1024;
const RESERVED_PARTS = ['image', 'description', 'operations'];
/** The longest `operations` text accepted; 20 steps of any operation fit easily. */
export const MAX_OPERATIONS_LENGTH = 16_000;

/** A form field read at most once, as text. */
function textField(form: FormData, name: string): string | undefined {
  const values = form.getAll(name);
  if (values.length > 1) throw new ValidationError(name, `send it once, got ${values.length}`, 'too_many_values');
  const value = values[0];
  if (value !== undefined && typeof value !== 'string') throw new ValidationError(name, 'must be a text field, got a file', 'not_text');
  return value;
}

/**
 * The `operations` field of POST /api/images, validated; undefined when
 * absent or empty (the default caption). It may come as a text field or as a
 * JSON file part (what Swagger UI sends for a field encoded as
 * application/json).
 */
export async function readOperations(form: FormData): Promise<Step[] | undefined> {
  const values = form.getAll('operations');
  if (values.length > 1) throw new ValidationError('operations', `send it once, got ${values.length}`, 'too_many_values');
  if (values[0] === undefined) return undefined;
  const json = await operationsText(values[0], 'operations');
  return isEmpty(json) ? undefined : parseOperations(json, 'operations');
}

/** An optional field sent empty, as a form that leaves it untouched sends it: the same as not sent. */
export function isEmpty(value: string): boolean {
  return value.trim() === '';
}

/**
 * One `operations` value as text: a text field as it is, a file part (JSON)
 * read as UTF-8, its size checked before it is read. `field` names it in errors.
 */
export async function operationsText(value: FormDataEntryValue, field: string): Promise<string> {
  if (typeof value === 'string') return value;
  if (value.size > MAX_OPERATIONS_LENGTH * 4) {
    throw new ValidationError(field, `is a ${value.size}-byte file part; at most ${MAX_OPERATIONS_LENGTH} characters are accepted`, 'too_long');
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(await value.arrayBuffer());
  if (text.includes('\uFFFD')) throw new ValidationError(field, 'is not valid UTF-8 (it contains bytes that decode to U+FFFD)', 'invalid_utf8');
  return text;
}

/**
 * One `operations` value, validated; `field` names it in errors
 * (`operations[2]` for a batch's third image, whose step faults then read
 * `operations[2][0].width: ...`).
 */
export function parseOperations(json: string, field: string): Step[] {
  if (json.length > MAX_OPERATIONS_LENGTH) {
    throw new ValidationError(field, `is ${json.length} characters; at most ${MAX_OPERATIONS_LENGTH} are accepted`, 'too_long');
  }
  try {
    return parseSteps(json);
  } catch (err) {
    if (err instanceof StepsError) throw new ValidationError(field, err.problem, err.code, err.where.replace(/^operations/, field));
    throw err;
  }
}

/** A shortcut's one step, its parameters read from form fields and converted by the schema's types. */
export function readShortcutStep(form: FormData, shortcut: Shortcut): Step[] {
  const { operation, fileParams = {} } = shortcut;
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(operation.params.properties as Record<string, TSchema>)) {
    const part = fileParams[name];
    if (part !== undefined) {
      // An empty text field where the file goes is an untouched file input (Swagger UI sends one).
      const sent = form.getAll(part);
      if (sent.length > 0 && !(sent.length === 1 && sent[0] === '')) params[name] = part;
      continue;
    }
    const raw = textField(form, name);
    // Every shortcut parameter the schema does not require is optional: sent empty, it is left out.
    const optional = !(operation.params.required ?? []).includes(name);
    if (raw !== undefined && !(optional && isEmpty(raw))) params[name] = coerce(schema, raw);
  }
  try {
    return [{ op: operation.name, operation, params: validateParams(operation, params, '') }];
  } catch (err) {
    if (err instanceof StepsError) throw new ValidationError(err.where.split('.')[0]!, err.problem, err.code, err.where);
    throw err;
  }
}

/** Form fields are text: numbers and booleans are read as such; anything else stays text for the schema to refuse. */
function coerce(schema: TSchema, raw: string): unknown {
  if (schema.type === 'integer' || schema.type === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** The file parts the steps refer to: present, files, non-empty, images, bounded in size and number. */
export async function readStepFiles(form: FormData, steps: Step[]): Promise<Record<string, Uint8Array> | undefined> {
  const names = referencedFiles(steps);
  if (names.length === 0) return undefined;
  if (names.length > MAX_STEP_FILES) {
    throw new ValidationError('operations', `the steps refer to ${names.length} file parts; at most ${MAX_STEP_FILES} are accepted`, 'too_many_files');
  }
  const reserved = names.find((n) => RESERVED_PARTS.includes(n));
  if (reserved) {
    throw new ValidationError('operations', `a step refers to the part "${reserved}", which the form uses for itself; send the file in a part of its own`, 'invalid_operation');
  }
  const files: Record<string, Uint8Array> = {};
  for (const name of names) {
    const required = `a step refers to a file part named "${name}"`;
    files[name] = (await readImagePart(form, name, MAX_STEP_FILE_BYTES, required)).bytes;
  }
  return files;
}
