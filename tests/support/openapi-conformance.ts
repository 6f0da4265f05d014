import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';
import { readEvents, type ServerEvent } from '../../client/event-stream.ts';

type Schema = Record<string, unknown>;

/**
 * An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a `null`
 * type, the annotations JSON Schema lacks are dropped, and every object that
 * lists its properties refuses any other (additionalProperties false unless
 * the document says otherwise), so a field the document does not declare
 * fails validation instead of passing unnoticed.
 */
export function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (!schema || typeof schema !== 'object') return schema;
  const { nullable, example: _example, xml: _xml, externalDocs: _docs, discriminator: _d, readOnly: _r, writeOnly: _w, deprecated: _dep, ...rest } = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(rest)) {
    // `properties` maps names to schemas; `enum`, `required` and `default` hold values, not schemas.
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, jsonSchemaOf(v)]));
    else if (key === 'enum' || key === 'required' || key === 'default') out[key] = value;
    else out[key] = jsonSchemaOf(value);
  }
  if (nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export interface Checked {
  operation: string;
  status: number;
}

/** The document's operations, as `METHOD /path/{template}`. */
export function operationsOf(doc: OpenAPIV3.Document): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) if (item?.[method]) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

/**
 * Validates real responses against the document: the status must be one the
 * operation declares, the Content-Type one its response declares, and the
 * body (each `data:` of an event stream) must match the declared schema.
 */
export class Conformance {
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly compiled = new Map<unknown, ValidateFunction>();
  readonly checked: Checked[] = [];

  constructor(readonly doc: OpenAPIV3.Document) {}

  private response(operation: string, status: number): OpenAPIV3.ResponseObject {
    const [method, path] = operation.split(' ') as [string, string];
    const op = (this.doc.paths[path] as Record<string, OpenAPIV3.OperationObject> | undefined)?.[method.toLowerCase()];
    if (!op) throw new Error(`${operation}: not in the document`);
    const response = op.responses[String(status)] as OpenAPIV3.ResponseObject | undefined;
    if (!response) throw new Error(`${operation}: answered ${status}, which the document does not declare (it declares ${Object.keys(op.responses).join(', ')})`);
    return response;
  }

  private validate(operation: string, status: number, schema: unknown, value: unknown, where: string): void {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(jsonSchemaOf(schema) as object);
      this.compiled.set(schema, validate);
    }
    if (!validate(value)) {
      throw new Error(`${operation} ${status}${where}: does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 800)}`);
    }
  }

  /**
   * Checks one answer; `operation` is `METHOD /path/{template}` as in the
   * document. Returns the parsed JSON body or events, if any. An event stream
   * is read to its end, or to its `maxEvents`th event (then cancelled).
   */
  async check(operation: string, res: Response, maxEvents = Infinity): Promise<unknown> {
    const response = this.response(operation, res.status);
    this.checked.push({ operation, status: res.status });
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const stream = type === 'text/event-stream';
    const events = stream ? await eventsUpTo(res, maxEvents) : [];
    const text = stream ? '' : new TextDecoder().decode(await res.arrayBuffer());
    if (!response.content) {
      const got = stream ? (events.length ? JSON.stringify(events) : '') : text;
      if (got !== '') throw new Error(`${operation} ${res.status}: the document declares no content, got ${type}: ${got.slice(0, 200)}`);
      return undefined;
    }
    const media = response.content[type];
    if (!media) throw new Error(`${operation} ${res.status}: answered ${type || 'no Content-Type'}, the document declares ${Object.keys(response.content).join(', ')}`);
    if (type === 'application/json') {
      const body = JSON.parse(text);
      if (media.schema) this.validate(operation, res.status, media.schema, body, '');
      return body;
    }
    if (stream) {
      for (const [i, event] of events.entries()) this.validate(operation, res.status, media.schema, event.data, ` event ${i} (${event.event})`);
      return events;
    }
    const schema = media.schema as OpenAPIV3.SchemaObject | undefined;
    if (schema?.type === 'string' && schema.format === 'binary') {
      if (text.length === 0) throw new Error(`${operation} ${res.status}: an empty ${type} body`);
      return undefined;
    }
    if (schema?.type === 'string') return text;
    throw new Error(`${operation} ${res.status}: no check for ${type}`);
  }
}

/** The events of a stream up to its end or its `maxEvents`th event (then cancelled). */
async function eventsUpTo(res: Response, maxEvents: number): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  for await (const event of readEvents(res.body!)) {
    events.push(event);
    if (events.length >= maxEvents) break;
  }
  return events;
}
