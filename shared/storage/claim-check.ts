import { SourceMissingError } from '../errors.ts';
import type { Command } from '../queue/stream.ts';
import type { ObjectRegistry } from './registry.ts';
import type { ObjectStore } from './store.ts';

/**
 * The claim check: a payload larger than `inlineMaxBytes` travels between
 * the services as an object in the store and a key in the stream entry,
 * instead of as bytes held in Redis memory. Only with the S3 store: a file
 * store is one host's disk, which the other services may not see.
 */
export class ClaimCheck {
  constructor(
    readonly store: ObjectStore,
    readonly registry: ObjectRegistry,
    readonly inlineMaxBytes: number,
  ) {}

  /** True when a payload of `size` bytes goes by reference. */
  refers(size: number): boolean {
    return this.store.kind === 's3' && size > this.inlineMaxBytes;
  }

  /**
   * Registers `key`, then writes the object: once this resolves the object
   * is durable, and whatever happens next, the orphan sweep knows of it.
   */
  async deposit(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.registry.register(key);
    await this.store.put(key, bytes, contentType);
  }

  /** The object's bytes; a SourceMissingError (permanent) when it is not in the store. */
  async collect(key: string, jobId: string): Promise<Uint8Array> {
    const bytes = await this.store.read(key);
    if (!bytes) throw new SourceMissingError(`the object ${key} that job ${jobId} refers to is not in the store`);
    return bytes;
  }

  /** Deletes the object and then forgets its key (a crash in between leaves it to the orphan sweep, which finds it gone). */
  async discard(key: string): Promise<void> {
    await this.store.delete(key);
    await this.registry.forget(key);
  }

  /** Forgets a key now owned by a row, in the caller's MULTI. */
  ownedCommands(key: string): Command[] {
    return this.registry.forgetCommands(key);
  }
}
