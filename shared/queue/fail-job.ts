import type { SerializedError } from '../errors.ts';
import type { JobStore } from '../jobs.ts';
import { UUID_PATTERN } from '../messages.ts';
import type { Command } from './stream.ts';

const UUID = new RegExp(UUID_PATTERN);

/** Marks a dead-lettered job failed, when the entry named a real job id. */
export function failJobCommands(jobs: JobStore, jobId: string | undefined, error: SerializedError): Command[] {
  return jobId && UUID.test(jobId) ? jobs.commands(jobId, 'failed', {}, error) : [];
}
