import { crop } from '../../shared/operations/crop.ts';
import { grayscale } from '../../shared/operations/grayscale.ts';
import { resize } from '../../shared/operations/resize.ts';
import type { Operation } from '../../shared/operations/types.ts';
import { watermark } from '../../shared/operations/watermark.ts';

/**
 * A single operation at an endpoint of its own, for clients of simpler task
 * APIs: the photo in the part `image`, the operation's parameters as form
 * fields. `fileParams` maps a parameter that names a file part to the part
 * that carries it on this endpoint (the watermark's `image` parameter would
 * clash with the photo's part, so its file comes as `mark`).
 */
export interface Shortcut {
  path: string;
  operation: Operation;
  fileParams?: Record<string, string>;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { path: '/api/crop', operation: crop as Operation },
  { path: '/api/resize', operation: resize as Operation },
  { path: '/api/grayscale', operation: grayscale as Operation },
  { path: '/api/watermark', operation: watermark as Operation, fileParams: { image: 'mark' } },
];
