import type { SerializedError } from '../errors.ts';
import type { JobStore } from '../jobs.ts';
import { isUuid } from '../ids.ts';
import type { Command } from './stream.ts';

/** Marks a dead-lettered job failed, when the entry named a real job id; `at` is the change's updated_at (default now). */
export function failJobCommands(jobs: JobStore, jobId: string | undefined, error: SerializedError, at?: string): Command[] {
  return isUuid(jobId) ? jobs.commands(jobId, 'failed', {}, error, at) : [];
}
