import type { Logger } from '../shared/logger.ts';
import type { JobStore } from '../shared/jobs.ts';
import { toFields, type UploadMessage } from '../shared/messages.ts';
import { ClaimLostError, type Claim } from '../shared/queue/claim.ts';
import { handOver } from '../shared/queue/hand-over.ts';
import type { Entry } from '../shared/queue/reply.ts';
import type { StreamQueue } from '../shared/queue/stream.ts';
import type { WorkerStats } from '../shared/stats/worker-stats.ts';
import type { CaptionRenderer } from './caption/renderer.ts';
import type { Pipeline, PipelineResult } from './pipeline.ts';
import { stepsOfMessage } from './message-steps.ts';

export interface ProcessDeps {
  uploads: StreamQueue;
  captionedKey: string;
  jobs: JobStore;
  renderer: CaptionRenderer;
  pipeline: Pipeline;
  stats: WorkerStats;
  log: Logger;
}

/**
 * Processes one upload and hands it to the saver: the XADD to the next
 * stream, the ack of this one and the status change happen at once (one
 * script), so a crash either redoes the work or has handed it over, never
 * both or neither; and only while this processor still owns the entry, so a
 * processor that was too slow or stopped, whose entry another one reclaimed,
 * adds nothing (its pipeline stops at the next step once renewal finds the
 * claim lost). Without `operations` the upload takes the caption renderer's
 * tuned path (decode overlapped with layout); with them, the step pipeline.
 */
export function createProcessHandler(deps: ProcessDeps) {
  return async (msg: UploadMessage, _entry: Entry, claim: Claim): Promise<void> => {
    const steps = stepsOfMessage(msg);
    const started = performance.now();
    await deps.jobs.set(msg.id, 'processing');
    let result: Pick<PipelineResult, 'bytes' | 'width' | 'height' | 'format'> & { timings: object };
    try {
      result = steps
        ? await deps.pipeline(msg.image, steps, {
            description: msg.description,
            files: msg.files ?? {},
            onStep: (label) => {
              claim.throwIfLost();
              return deps.jobs.set(msg.id, 'processing', { step: label });
            },
          })
        : await deps.renderer.render(msg.image, msg.description).then((r) => ({ ...r, bytes: r.jpeg, format: 'jpeg' as const }));
    } catch (err) {
      if (!(err instanceof ClaimLostError)) throw err;
      deps.log.warn({ jobId: msg.id }, 'stopped processing: the entry was reclaimed by another processor');
      return;
    }
    const handedOver = await handOver(
      claim,
      [
        [
          'XADD', deps.captionedKey, '*',
          ...toFields({
            id: msg.id,
            description: msg.description,
            received_at: msg.received_at,
            image: result.bytes,
            width: result.width,
            height: result.height,
            format: result.format,
            batch_id: msg.batch_id,
            callback_url: msg.callback_url,
          }),
        ],
        ...deps.jobs.commands(msg.id, 'saving'),
        ...deps.stats.handled('render', performance.now() - started),
      ],
      deps.log.child({ jobId: msg.id }),
    );
    if (!handedOver) return;
    deps.log.info(
      { jobId: msg.id, width: result.width, height: result.height, format: result.format, bytes: result.bytes.length, timings: result.timings },
      steps ? 'processed' : 'captioned',
    );
  };
}
