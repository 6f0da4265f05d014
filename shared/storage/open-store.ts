import type { StorageConfig } from '../config.ts';
import { FileStore } from './file-store.ts';
import { S3Store } from './s3-store.ts';
import type { ObjectStore } from './store.ts';

/** The store the config names; opening one connects to nothing yet. */
export function openStore(config: StorageConfig): ObjectStore {
  return config.kind === 's3' ? new S3Store(config) : new FileStore(config.dir);
}
