import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { InvalidMessageError } from './errors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from './formats.ts';
import { UUID_PATTERN } from './ids.ts';
import { THUMBNAIL_FORMATS } from './storage/object-keys.ts';

/**
 * The two queue messages. Each is one TypeBox schema; the TS type is derived
 * from it and every consumer validates what it reads before using it.
 * On the wire a message is a flat list of Redis stream fields; `image` and
 * each extra file part (`file:<name>`) travel as raw bytes (never base64),
 * everything else as UTF-8 text.
 */
export const ISO_INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

const Id = Type.String({ pattern: UUID_PATTERN });
const ReceivedAt = Type.String({ pattern: ISO_INSTANT_PATTERN });
// The API enforces the user-facing limit in code points; this bound only rejects garbage.
const Description = Type.String({ minLength: 1, maxLength: 20_000 });
const Bytes = Type.Uint8Array({ minByteLength: 1 });
/** A webhook's address; the API has checked it fully (api/callback-url.ts), this only rejects garbage. */
export const CALLBACK_URL_MAX_LENGTH = 2048;
export const CallbackUrl = Type.String({ pattern: '^https?://', maxLength: CALLBACK_URL_MAX_LENGTH });
/**
 * The claim check: a payload held in the object store instead of Redis, by
 * its key there (shared/storage/object-keys.ts); a message carries either
 * `image` or `image_key`, never both, never neither (see PAYLOAD_FIELDS).
 */
const ImageKey = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$', maxLength: 256 });
export const FILE_FIELD_PREFIX = 'file:';
/** The name of an extra file part (a watermark image), as a step refers to it. */
export const FILE_PART_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

/** An image's address for the processor to fetch; the API allows 2048 characters, this bound only rejects garbage. */
export const SOURCE_URL_PATTERN = '^https?://';
const SourceUrl = Type.String({ pattern: SOURCE_URL_PATTERN, maxLength: 8192 });

/**
 * Stream 1, api → processor: the upload as received. It carries the image
 * itself (`image`), its key in the object store (`image_key`) or its address
 * (`source_url`, fetched by the processor through the SSRF guard): exactly
 * one of the three. `operations` is the
 * pipeline as JSON text, checked again by the processor against the
 * operations' own schemas; without it the pipeline is the default caption.
 * `files` are the extra file parts its steps refer to (watermark images).
 */
export const UploadMessage = Type.Object({
  id: Id,
  description: Description,
  received_at: ReceivedAt,
  image: Type.Optional(Bytes),
  /** Instead of `image`: the upload's key in the object store (`incoming/<id>`). */
  image_key: Type.Optional(ImageKey),
  /** Instead of `image`: the image's address, for the processor to fetch. */
  source_url: Type.Optional(SourceUrl),
  operations: Type.Optional(Type.String({ minLength: 2, maxLength: 64_000 })),
  files: Type.Optional(Type.Record(Type.String({ pattern: FILE_PART_PATTERN }), Bytes, { additionalProperties: false })),
  /** The batch this job belongs to (`POST /api/batches`); absent for a single upload. */
  batch_id: Type.Optional(Id),
  /** Where the job's end is announced (a webhook, see shared/webhooks); single uploads only. */
  callback_url: Type.Optional(CallbackUrl),
});
export type UploadMessage = Static<typeof UploadMessage>;

/** Stream 2, processor → saver: the processed image and what the saver stores with it; no `format` means JPEG, no `batch_id` a single upload. */
export const CaptionedMessage = Type.Object({
  id: Id,
  description: Description,
  received_at: ReceivedAt,
  image: Type.Optional(Bytes),
  /** Instead of `image`: the result's final key in the object store (`<id>.<ext>`), which the saver records as it is. */
  image_key: Type.Optional(ImageKey),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
  /** The result's thumbnail (at most 320 px), always inline: it is small. Absent from older processors' messages. */
  thumbnail: Type.Optional(Bytes),
  /** The thumbnail's encoding; absent means WebP, the only one processors before 2026-12-01 made. */
  thumbnail_format: Type.Optional(Type.Union(THUMBNAIL_FORMATS.map((f) => Type.Literal(f)))),
  format: Type.Optional(Type.Union((Object.keys(OUTPUT_FORMATS) as OutputFormat[]).map((f) => Type.Literal(f)))),
  /** Carried from the upload, so the saver can count the job towards its batch. */
  batch_id: Type.Optional(Id),
  /** Carried from the upload, so the saver's `done` queues the job's webhook. */
  callback_url: Type.Optional(CallbackUrl),
});
export type CaptionedMessage = Static<typeof CaptionedMessage>;

export type Fields = Record<string, Buffer>;

/**
 * The ways a message carries its image; a message has exactly one of those
 * its schema knows (the captioned message has no source_url).
 */
export const PAYLOAD_FIELDS = ['image', 'image_key', 'source_url'] as const;

const BINARY_FIELDS = new Set(['image', 'thumbnail']);

/** A field holding an upload's or a result's own bytes: `image`, `thumbnail` or a `file:*` part. */
export const isBinaryField = (name: string) => BINARY_FIELDS.has(name) || name.startsWith(FILE_FIELD_PREFIX);
const INTEGER_FIELDS = new Set(['width', 'height']);

type FieldValue = string | number | Uint8Array;

/** Flattens a message into XADD field/value arguments; `files` become one `file:<name>` field each; undefined is left out. */
export function toFields(message: Record<string, FieldValue | Record<string, Uint8Array> | undefined>): Array<string | Buffer> {
  const out: Array<string | Buffer> = [];
  const push = (key: string, value: FieldValue) =>
    out.push(key, value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : String(value));
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined) continue;
    if (key === 'files' && !(value instanceof Uint8Array) && typeof value === 'object') {
      for (const [name, bytes] of Object.entries(value)) push(`${FILE_FIELD_PREFIX}${name}`, bytes);
    } else {
      push(key, value as FieldValue);
    }
  }
  return out;
}

export interface MessageCodec<S extends TSchema> {
  /** Rebuilds and validates a message; throws InvalidMessageError saying what is wrong. */
  decode(fields: Fields): Static<S>;
}

export function codec<S extends TSchema>(name: string, schema: S): MessageCodec<S> {
  const check = TypeCompiler.Compile(schema);
  const payloads = payloadFields(schema);
  return {
    decode(fields) {
      const candidate: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) {
        if (key.startsWith(FILE_FIELD_PREFIX)) {
          const files = (candidate.files ??= {}) as Record<string, Uint8Array>;
          files[key.slice(FILE_FIELD_PREFIX.length)] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        } else if (BINARY_FIELDS.has(key)) candidate[key] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        else if (INTEGER_FIELDS.has(key)) candidate[key] = Number(value.toString('utf8'));
        else candidate[key] = value.toString('utf8');
      }
      if (!check.Check(candidate)) {
        const first = check.Errors(candidate).First();
        const where = first?.path || '/';
        throw new InvalidMessageError(`invalid ${name} message at ${where}: ${first?.message ?? 'does not match schema'}`);
      }
      const carried = payloads.filter((f) => candidate[f] !== undefined);
      if (payloads.length > 0 && carried.length !== 1) {
        throw new InvalidMessageError(
          carried.length === 0
            ? `invalid ${name} message: expected an image, as bytes (image), as an object key (image_key)` +
                `${payloads.includes('source_url') ? ' or as an address (source_url)' : ''}; it has neither`
            : `invalid ${name} message: expected exactly one of ${payloads.join(', ')}; it has ${carried.length === 2 ? 'both' : 'all of'} ${carried.join(' and ')}`,
        );
      }
      return candidate as Static<S>;
    },
  };
}

/** Which of PAYLOAD_FIELDS the schema's messages may carry (exactly one of them each). */
function payloadFields(schema: TSchema): string[] {
  const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  return PAYLOAD_FIELDS.filter((f) => f in properties);
}

export const uploadCodec = codec('upload', UploadMessage);
export const captionedCodec = codec('captioned', CaptionedMessage);
