/**
 * Where images live, behind one interface: a directory on this host
 * (file-store.ts) or any S3-compatible object store (s3-store.ts). Nothing
 * else in kadr knows which is in use; openStore (open-store.ts) picks one
 * from the config.
 *
 * Keys are relative, slash-separated names derived from ids (object-keys.ts),
 * never from user input. Every failure of the store itself (unreachable,
 * refused, disk full) is a DependencyError with code `storage_unavailable`:
 * the store, not the job, is at fault, so workers retry in place.
 */
export interface ObjectInfo {
  size: number;
  /** The store's own entity tag, quoted as HTTP has it. */
  etag: string;
}

/** Inclusive byte offsets, as in an HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectBody {
  stream: ReadableStream<Uint8Array>;
  /** Bytes the stream will yield (the range's length when one was asked for). */
  length: number;
  /** The whole object's size. */
  size: number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** Content-Disposition the store answers with (a download's file name). */
  contentDisposition?: string;
}

export interface ObjectToPut {
  key: string;
  bytes: Uint8Array;
  contentType: string;
}

export interface ObjectStore {
  readonly kind: 'file' | 's3';
  /** Where the store is, for logs: no credentials. */
  readonly location: string;
  /**
   * Writes the object whole or not at all: a reader never sees a half-written
   * object. Writing the same key again replaces it, so a redelivered write
   * leaves one object, never a second.
   */
  put(key: string, bytes: Uint8Array, contentType: string, contentDisposition?: string): Promise<void>;
  /**
   * Writes several objects as put writes each (the group is not atomic: a
   * failure may leave some written), for less than their puts one by one:
   * a result and its thumbnail share one directory fsync in the file store.
   */
  putAll(objects: ObjectToPut[]): Promise<void>;
  /** As put, from a stream that is never held whole (a batch's archive). */
  putStream(key: string, body: ReadableStream<Uint8Array>, contentType: string, contentDisposition?: string): Promise<void>;
  /** The object (or `range` of it) as a stream with its length; null when there is no such object. */
  get(key: string, range?: ByteRange): Promise<ObjectBody | null>;
  /** The whole object in memory; null when there is no such object. */
  read(key: string): Promise<Uint8Array | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** A URL that fetches the object without credentials until it expires (S3 only). */
  presign(key: string, options: PresignOptions): string;
  /** Throws a DependencyError unless the store answers and can be written to. */
  check(): Promise<void>;
  /** Removes what writers killed mid-write left behind (file store); answers what it removed. */
  sweepAbandoned(): Promise<string[]>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Refuses a key that could leave the store's folder or prefix; keys are made by kadr, so this is a bug check. */
export function assertKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`invalid storage key "${key}"`);
  }
  return key;
}
