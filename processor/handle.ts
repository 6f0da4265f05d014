import type { Logger } from '../shared/logger.ts';
import type { JobStore } from '../shared/jobs.ts';
import { toFields, type UploadMessage } from '../shared/messages.ts';
import type { Entry } from '../shared/queue/reply.ts';
import type { StreamQueue } from '../shared/queue/stream.ts';
import type { WorkerStats } from '../shared/stats/worker-stats.ts';
import type { CaptionRenderer } from './caption/renderer.ts';

export interface ProcessDeps {
  uploads: StreamQueue;
  captionedKey: string;
  jobs: JobStore;
  renderer: CaptionRenderer;
  stats: WorkerStats;
  log: Logger;
}

/**
 * Captions one upload and hands it to the saver: the XADD to the next stream,
 * the ack of this one and the status change happen in one MULTI, so a crash
 * either redoes the work or has handed it over, never both or neither.
 */
export function createProcessHandler(deps: ProcessDeps) {
  return async (msg: UploadMessage, entry: Entry): Promise<void> => {
    const started = performance.now();
    await deps.jobs.set(msg.id, 'processing');
    const result = await deps.renderer.render(msg.image, msg.description);
    const tx = deps.uploads.redis.multi();
    tx.addCommand([
      'XADD', deps.captionedKey, '*',
      ...toFields({
        id: msg.id,
        description: msg.description,
        received_at: msg.received_at,
        image: result.jpeg,
        width: result.width,
        height: result.height,
      }),
    ] as never);
    for (const c of deps.uploads.ackCommands(entry.id)) tx.addCommand(c as never);
    for (const c of deps.jobs.commands(msg.id, 'saving')) tx.addCommand(c as never);
    for (const c of deps.stats.handled('render', performance.now() - started)) tx.addCommand(c as never);
    await tx.exec();
    deps.log.info(
      { jobId: msg.id, width: result.width, height: result.height, bytes: result.jpeg.length, timings: result.timings },
      'captioned',
    );
  };
}
