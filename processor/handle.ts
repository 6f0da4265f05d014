import type { Logger } from '../shared/logger.ts';
import { InvalidMessageError, SourceMissingError } from '../shared/errors.ts';
import { OUTPUT_FORMATS } from '../shared/formats.ts';
import type { JobStore } from '../shared/jobs.ts';
import { toFields, type UploadMessage } from '../shared/messages.ts';
import { ClaimLostError, type Claim } from '../shared/queue/claim.ts';
import { handOver } from '../shared/queue/hand-over.ts';
import type { ClaimCheck } from '../shared/storage/claim-check.ts';
import { resultKey } from '../shared/storage/object-keys.ts';
import type { Entry } from '../shared/queue/reply.ts';
import { chargedXadd } from '../shared/queue/stream-bytes.ts';
import type { WorkerStats } from '../shared/stats/worker-stats.ts';
import type { CaptionRenderer } from './caption/renderer.ts';
import type { Pipeline, PipelineResult } from './pipeline.ts';
import type { SourceFetcher } from './fetch-source.ts';
import { stepsOfMessage } from './message-steps.ts';

export interface ProcessDeps {
  captionedKey: string;
  jobs: JobStore;
  renderer: CaptionRenderer;
  pipeline: Pipeline;
  stats: WorkerStats;
  /** Fetches an image given by URL (source_url), through the SSRF guard. */
  fetchSource: SourceFetcher;
  log: Logger;
  /** Reads uploads held by reference and refers large results (the claim check); without it, everything is inline. */
  claims?: ClaimCheck;
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

 * An image given by URL is fetched first (status `fetching`); a fetch that
 * fails throws its source_* error, which the consumer retries or dead-letters
 * by its class.
 *
 * The claim check: an upload held by reference is read from the store; a
 * result larger than INLINE_MAX_BYTES is written (registered first) at its
 * final key `<id>.<ext>`, and stream 2 carries that key. Once the hand-over
 * is done, the upload's object is deleted; a crash in between leaves it to
 * the orphan sweep.
 */
export function createProcessHandler(deps: ProcessDeps) {
  return async (msg: UploadMessage, _entry: Entry, claim: Claim): Promise<void> => {
    const steps = stepsOfMessage(msg);
    const started = performance.now();
    // Read before the status is touched: a missing object is judged by the status as it is.
    const held = msg.source_url === undefined ? await sourceOf(deps, msg) : undefined;
    if (held === null) {
      deps.log.info({ jobId: msg.id, key: msg.image_key }, 'upload already handed over by another processor; dropping this entry');
      await handOver(claim, [], deps.log.child({ jobId: msg.id }));
      return;
    }
    let result: Pick<PipelineResult, 'bytes' | 'thumbnail' | 'width' | 'height' | 'format'> & { timings: object };
    try {
      const image = held ?? (await fetchImage(deps, msg.id, msg.source_url!, claim));
      await deps.jobs.set(msg.id, 'processing');
      result = steps
        ? await deps.pipeline(image, steps, {
            description: msg.description,
            files: msg.files ?? {},
            onStep: (label) => {
              claim.throwIfLost();
              return deps.jobs.set(msg.id, 'processing', { step: label });
            },
          })
        : await deps.renderer.render(image, msg.description).then((r) => ({ ...r, bytes: r.jpeg, format: 'jpeg' as const }));
    } catch (err) {
      if (!(err instanceof ClaimLostError)) throw err;
      deps.log.warn({ jobId: msg.id }, 'stopped processing: the entry was reclaimed by another processor');
      return;
    }
    // A large result goes to its final key; the saver then only records it.
    const imageKey = deps.claims?.refers(result.bytes.length) ? resultKey(msg.id, result.format) : undefined;
    if (imageKey) await deps.claims!.deposit(imageKey, result.bytes, OUTPUT_FORMATS[result.format].contentType);
    const handedOver = await handOver(
      claim,
      [
        ...chargedXadd([
          'XADD', deps.captionedKey, '*',
          ...toFields({
            id: msg.id,
            description: msg.description,
            received_at: msg.received_at,
            image: imageKey ? undefined : result.bytes,
            image_key: imageKey,
            width: result.width,
            height: result.height,
            thumbnail: result.thumbnail,
            thumbnail_format: 'jpeg',
            format: result.format,
            batch_id: msg.batch_id,
            callback_url: msg.callback_url,
          }),
        ]),
        ...deps.jobs.commands(msg.id, 'saving'),
        ...deps.stats.handled('render', performance.now() - started),
      ],
      deps.log.child({ jobId: msg.id }),
    );
    if (!handedOver) return;
    if (msg.image_key) await discardUpload(deps, msg.id, msg.image_key);
    deps.log.info(
      {
        jobId: msg.id, width: result.width, height: result.height, format: result.format, bytes: result.bytes.length,
        byReference: imageKey !== undefined, timings: result.timings,
      },
      steps ? 'processed' : 'captioned',
    );
  };
}

async function fetchImage(deps: ProcessDeps, id: string, url: string, claim: Claim): Promise<Uint8Array> {
  await deps.jobs.set(id, 'fetching');
  const started = performance.now();
  const image = await deps.fetchSource(url);
  claim.throwIfLost();
  deps.log.info({ jobId: id, bytes: image.byteLength, ms: Math.round(performance.now() - started) }, 'fetched');
  return image;
}

/**
 * The upload's bytes: inline, or read from the store. A missing object is
 * permanent (SourceMissingError), unless the job is already past this stage:
 * then another processor handed it over and deleted the object, and this
 * entry (a redelivery, or a copy) answers null, to be dropped.
 */
async function sourceOf(deps: ProcessDeps, msg: UploadMessage): Promise<Uint8Array | null> {
  if (msg.image) return msg.image;
  if (!deps.claims) throw new InvalidMessageError(`invalid upload message: it refers to ${msg.image_key}, and this processor has no object store`);
  try {
    return await deps.claims.collect(msg.image_key!, msg.id);
  } catch (err) {
    if (!(err instanceof SourceMissingError)) throw err;
    const status = (await deps.jobs.get(msg.id))?.status;
    if (status === 'saving' || status === 'done') return null;
    throw err;
  }
}

/** The upload's object has served its purpose; failing to delete it now only leaves it to the orphan sweep. */
async function discardUpload(deps: ProcessDeps, jobId: string, key: string): Promise<void> {
  try {
    await deps.claims!.discard(key);
  } catch (err) {
    deps.log.warn({ err, jobId, key }, 'could not delete the processed upload; the orphan sweep will');
  }
}
