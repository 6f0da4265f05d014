import type { Static, TObject } from '@sinclair/typebox';

/**
 * One kind of processing, as the API, the page, clients and Swagger see it:
 * `params` is the TypeBox schema of the step's parameters (without `op`);
 * `check` adds rules across parameters that a schema cannot say well,
 * returning what is wrong or undefined. How it is applied to pixels is the
 * processor's (processor/operations/), so nothing here loads an image library.
 */
export interface Operation<P extends TObject = TObject> {
  name: string;
  summary: string;
  params: P;
  /** Typical parameters: shown in Swagger and README, and what the benchmark runs. */
  example: Static<P>;
  check?(params: Static<P>): { param: string; message: string } | undefined;
  /** Names of the upload's extra file parts this step reads (a watermark image). */
  files?(params: Static<P>): string[];
}

/** Declares an operation with its parameter type inferred from its schema. */
export function defineOperation<P extends TObject>(op: Operation<P>): Operation<P> {
  return op;
}
