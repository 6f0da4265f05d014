import type { SerializedError } from '../errors.ts';
import type { JobStore } from '../jobs.ts';
import { isUuid } from '../ids.ts';
import type { Command } from './stream.ts';

/** Marks a dead-lettered job failed, when the entry named a real job id. */
export function failJobCommands(jobs: JobStore, jobId: string | undefined, error: SerializedError): Command[] {
  return isUuid(jobId) ? jobs.commands(jobId, 'failed', {}, error) : [];
}
