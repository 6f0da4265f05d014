import type { Logger } from '../shared/logger.ts';
import type { JobStore } from '../shared/jobs.ts';
import { toFields, type UploadMessage } from '../shared/messages.ts';
import type { Entry } from '../shared/queue/reply.ts';
import type { StreamQueue } from '../shared/queue/stream.ts';
import type { WorkerStats } from '../shared/stats/worker-stats.ts';
import type { CaptionRenderer } from './caption/renderer.ts';
import type { Pipeline } from './pipeline.ts';
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
 * stream, the ack of this one and the status change happen in one MULTI, so
 * a crash either redoes the work or has handed it over, never both or
 * neither. Without `operations` the upload takes the caption renderer's
 * tuned path (decode overlapped with layout); with them, the step pipeline.
 */
export function createProcessHandler(deps: ProcessDeps) {
  return async (msg: UploadMessage, entry: Entry): Promise<void> => {
    const steps = stepsOfMessage(msg);
    const started = performance.now();
    await deps.jobs.set(msg.id, 'processing');
    const result = steps
      ? await deps.pipeline(msg.image, steps, {
          description: msg.description,
          files: msg.files ?? {},
          onStep: (label) => deps.jobs.set(msg.id, 'processing', { step: label }),
        })
      : await deps.renderer.render(msg.image, msg.description).then((r) => ({ ...r, bytes: r.jpeg, format: 'jpeg' as const }));
    const tx = deps.uploads.redis.multi();
    tx.addCommand([
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
      }),
    ] as never);
    for (const c of deps.uploads.ackCommands(entry.id)) tx.addCommand(c as never);
    for (const c of deps.jobs.commands(msg.id, 'saving')) tx.addCommand(c as never);
    for (const c of deps.stats.handled('render', performance.now() - started)) tx.addCommand(c as never);
    await tx.exec();
    deps.log.info(
      { jobId: msg.id, width: result.width, height: result.height, format: result.format, bytes: result.bytes.length, timings: result.timings },
      steps ? 'processed' : 'captioned',
    );
  };
}
