import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { InvalidMessageError } from './errors.ts';

/**
 * The two queue messages. Each is one TypeBox schema; the TS type is derived
 * from it and every consumer validates what it reads before using it.
 * On the wire a message is a flat list of Redis stream fields; `image` travels
 * as raw bytes (never base64), everything else as UTF-8 text.
 */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const ISO_INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

const Id = Type.String({ pattern: UUID_PATTERN });
const ReceivedAt = Type.String({ pattern: ISO_INSTANT_PATTERN });
// The API enforces the user-facing limit in code points; this bound only rejects garbage.
const Description = Type.String({ minLength: 1, maxLength: 20_000 });
const Bytes = Type.Uint8Array({ minByteLength: 1 });

/** Stream 1, api → processor: the upload as received. */
export const UploadMessage = Type.Object({
  id: Id,
  description: Description,
  received_at: ReceivedAt,
  image: Bytes,
});
export type UploadMessage = Static<typeof UploadMessage>;

/** Stream 2, processor → saver: the captioned JPEG and what the saver stores with it. */
export const CaptionedMessage = Type.Object({
  id: Id,
  description: Description,
  received_at: ReceivedAt,
  image: Bytes,
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
});
export type CaptionedMessage = Static<typeof CaptionedMessage>;

export type Fields = Record<string, Buffer>;

const BINARY_FIELDS = new Set(['image']);
const INTEGER_FIELDS = new Set(['width', 'height']);

/** Flattens a message into XADD field/value arguments. */
export function toFields(message: Record<string, string | number | Uint8Array>): Array<string | Buffer> {
  const out: Array<string | Buffer> = [];
  for (const [key, value] of Object.entries(message)) {
    out.push(key, value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : String(value));
  }
  return out;
}

export interface MessageCodec<S extends TSchema> {
  /** Rebuilds and validates a message; throws InvalidMessageError saying what is wrong. */
  decode(fields: Fields): Static<S>;
}

export function codec<S extends TSchema>(name: string, schema: S): MessageCodec<S> {
  const check = TypeCompiler.Compile(schema);
  return {
    decode(fields) {
      const candidate: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) {
        if (BINARY_FIELDS.has(key)) candidate[key] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        else if (INTEGER_FIELDS.has(key)) candidate[key] = Number(value.toString('utf8'));
        else candidate[key] = value.toString('utf8');
      }
      if (!check.Check(candidate)) {
        const first = check.Errors(candidate).First();
        const where = first?.path || '/';
        throw new InvalidMessageError(`invalid ${name} message at ${where}: ${first?.message ?? 'does not match schema'}`);
      }
      return candidate as Static<S>;
    },
  };
}

export const uploadCodec = codec('upload', UploadMessage);
export const captionedCodec = codec('captioned', CaptionedMessage);
