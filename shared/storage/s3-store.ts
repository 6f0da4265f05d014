import { S3Client } from 'bun';
import type { S3StorageConfig } from '../config.ts';
import { DependencyError } from '../errors.ts';
import { assertKey, type ByteRange, type ObjectBody, type ObjectInfo, type ObjectStore, type ObjectToPut, type PresignOptions } from './store.ts';

// S3's own "no such object" codes; every other failure is the store's.
const ABSENT = new Set(['NoSuchKey', 'NotFound']);

const absent = (err: unknown) => ABSENT.has(String((err as { code?: unknown }).code));

const storageError = (what: string, cause: unknown) =>
  new DependencyError(`${what}: ${(cause as { code?: string }).code ?? (cause as Error).message}`, {
    code: 'storage_unavailable',
    cause,
  });

/** Bun's client takes a virtual-hosted endpoint whole (bucket in the host name) rather than composing it. */
function clientEndpoint(c: S3StorageConfig): string | undefined {
  if (c.forcePathStyle) return c.endpoint;
  const base = new URL(c.endpoint ?? `https://s3.${c.region}.amazonaws.com`);
  base.hostname = `${c.bucket}.${base.hostname}`;
  return base.origin;
}

/**
 * Objects in any S3-compatible store, through Bun's built-in S3Client (no SDK
 * to load, and its requests are native; see README "Storage"). A PUT is
 * atomic in S3 itself: an object is visible whole or not at all.
 */
export class S3Store implements ObjectStore {
  readonly kind = 's3' as const;
  readonly location: string;
  private readonly client: S3Client;

  constructor(private readonly c: S3StorageConfig) {
    this.location = `s3://${c.bucket}/${c.prefix}${c.endpoint ? ` at ${c.endpoint}` : ''}`;
    this.client = new S3Client({
      bucket: c.bucket,
      region: c.region,
      endpoint: clientEndpoint(c),
      virtualHostedStyle: !c.forcePathStyle,
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
    });
  }

  private key(key: string): string {
    assertKey(key);
    return this.c.prefix ? `${this.c.prefix}/${key}` : key;
  }

  async putAll(objects: ObjectToPut[]): Promise<void> {
    await Promise.all(objects.map((o) => this.put(o.key, o.bytes, o.contentType)));
  }

  async put(key: string, bytes: Uint8Array, contentType: string, contentDisposition?: string): Promise<void> {
    try {
      await this.client.write(this.key(key), bytes, { type: contentType, contentDisposition });
    } catch (err) {
      throw storageError(`cannot write ${key} to ${this.location}`, err);
    }
  }

  /** A streaming upload (multipart past 5 MiB), for objects made on the fly such as a batch's archive. */
  async putStream(key: string, body: ReadableStream<Uint8Array>, contentType: string, contentDisposition?: string): Promise<void> {
    try {
      const writer = this.client.file(this.key(key)).writer({ type: contentType, contentDisposition });
      for await (const chunk of body) await writer.write(chunk);
      await writer.end();
    } catch (err) {
      throw storageError(`cannot write ${key} to ${this.location}`, err);
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectBody | null> {
    const info = await this.head(key);
    if (!info) return null;
    const file = this.client.file(this.key(key));
    const part = range ? file.slice(range.start, range.end + 1) : file;
    return { stream: part.stream(), length: range ? range.end - range.start + 1 : info.size, size: info.size };
  }

  async read(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await this.client.file(this.key(key)).arrayBuffer());
    } catch (err) {
      if (absent(err)) return null;
      throw storageError(`cannot read ${key} from ${this.location}`, err);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const s = await this.client.file(this.key(key)).stat();
      return { size: s.size, etag: s.etag };
    } catch (err) {
      if (absent(err)) return null;
      throw storageError(`cannot stat ${key} in ${this.location}`, err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.file(this.key(key)).delete();
    } catch (err) {
      if (absent(err)) return;
      throw storageError(`cannot delete ${key} from ${this.location}`, err);
    }
  }

  presign(key: string, options: PresignOptions): string {
    return this.client.presign(this.key(key), {
      method: 'GET',
      expiresIn: options.expiresInSeconds,
      contentDisposition: options.contentDisposition,
    });
  }

  /**
   * A listing of a prefix that holds nothing: Bun's client has no bucket
   * HEAD, and this is as cheap (an empty answer), and fails (NoSuchBucket,
   * AccessDenied, unreachable) exactly when the store cannot be used. An
   * empty prefix also keeps clear of s3rver, whose truncated listings fail.
   */
  async check(): Promise<void> {
    try {
      await this.client.list({ prefix: `${this.c.prefix ? `${this.c.prefix}/` : ''}kadr-readiness-probe/` });
    } catch (err) {
      throw storageError(`${this.location} does not answer`, err);
    }
  }

  async sweepAbandoned(): Promise<string[]> {
    return []; // a PUT is atomic in S3: nothing half-written can be left
  }
}
