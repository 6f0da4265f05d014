import { InvalidMessageError } from '../shared/errors.ts';
import type { UploadMessage } from '../shared/messages.ts';
import { parseSteps, referencedFiles, StepsError, type Step } from '../shared/operations/steps.ts';

/**
 * The message's pipeline, checked with the same schemas the API used; a
 * message that fails them (written by something else, or by an older API)
 * is permanently invalid. Undefined when the upload asked for none.
 */
export function stepsOfMessage(msg: UploadMessage): Step[] | undefined {
  if (msg.operations === undefined) return undefined;
  let steps: Step[];
  try {
    steps = parseSteps(msg.operations);
  } catch (err) {
    if (err instanceof StepsError) throw new InvalidMessageError(`invalid upload message at /operations: ${err.message}`);
    throw err;
  }
  const missing = referencedFiles(steps).find((name) => !msg.files?.[name]);
  if (missing) throw new InvalidMessageError(`invalid upload message: a step refers to file part "${missing}", which it does not carry`);
  return steps;
}
