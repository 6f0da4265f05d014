import { Command, InvalidArgumentError, Option } from 'commander';
import { createKadrClient, type Step } from '../client/index.ts';
import { captionBatch } from './caption-batch.ts';
import { captionEach } from './caption-each.ts';
import { listLine } from './list.ts';
import { summary } from './outcome.ts';
import { readPhotos } from './photos.ts';
import { openProgress } from './progress.ts';
import { describe, lookup } from './status.ts';
import { UnreachableError, withRetry } from './api-call.ts';

/** What a command hands back: the process's exit code. */
type Exit = (code: number) => void;

function parseOps(raw: string): Step[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new InvalidArgumentError(`expected a JSON array of steps, got text that is not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value)) throw new InvalidArgumentError(`expected a JSON array of steps such as '[{"op":"grayscale"}]', got ${typeof value}`);
  // The API checks each step and answers with its own message when one is wrong.
  return value as Step[];
}

function parseLimit(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError(`expected an integer from 1 to 500, got "${raw}"`);
  return n;
}

/**
 * The kadr command line. `exit` receives the exit code of a command that
 * ran: 1 when any photo failed or any id was not found.
 */
export function kadrProgram(exit: Exit): Command {
  const program = new Command('kadr')
    .description('Caption photos with a kadr API, follow jobs and list the results.')
    .addOption(new Option('--server <url>', 'the kadr API').env('KADR_URL').default('http://localhost:3000'))
    .showHelpAfterError();
  const client = () => {
    const server = program.opts<{ server: string }>().server;
    // A refused connection says which server and how to pick another, not just "fetch failed".
    const reach: typeof fetch = Object.assign(
      (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
        fetch(input, init).catch((err: unknown) => {
          throw new UnreachableError(server, err);
        }),
      { preconnect: fetch.preconnect },
    );
    return createKadrClient(server, { fetch: reach });
  };

  program
    .command('caption')
    .description(
      'upload photos, each as its own job (or as one batch with --batch), show the progress live, and save the results ' +
        '(or the batch ZIP) into --out; exits 1 listing each failure\'s reason when any failed',
    )
    .argument('<photos...>', 'photo files (JPEG, PNG, WebP, GIF, TIFF, AVIF)')
    .requiredOption('-d, --description <text>', 'the text of the caption band (1 to 200 characters)')
    .addOption(new Option('--ops <json>', 'a pipeline instead of the caption: a JSON array of steps, e.g. \'[{"op":"resize","width":400}]\'').argParser(parseOps))
    .option('--batch', 'send all photos as one batch and save its ZIP', false)
    .option('--out <dir>', 'where the results go', '.')
    .action(async (paths: string[], opts: { description: string; ops?: Step[]; batch: boolean; out: string }) => {
      const photos = await readPhotos(paths);
      const progress = openProgress();
      const req = { description: opts.description, operations: opts.ops, out: opts.out };
      try {
        const outcome = await (opts.batch ? captionBatch : captionEach)(client(), photos, req, progress);
        progress.stop();
        for (const line of summary(outcome)) console.log(line);
        exit(outcome.failures.length > 0 ? 1 : 0);
      } finally {
        progress.stop();
      }
    });

  program
    .command('status')
    .description('the status of jobs (or batches) by id, as the API reports it; exits 1 if any is unknown')
    .argument('<ids...>', 'job ids (from kadr caption or POST /api/images) or batch ids')
    .option('--json', 'print the API\'s JSON, one object per line')
    .action(async (ids: string[], opts: { json?: boolean }) => {
      let missing = 0;
      for (const id of ids) {
        const found = await lookup(client(), id);
        if (found.kind === 'missing') missing++;
        if (opts.json) console.log(JSON.stringify(found.kind === 'job' ? found.status : found.kind === 'batch' ? found.batch : { id, error: found.reason }));
        else for (const line of describe(found)) console.log(line);
      }
      exit(missing > 0 ? 1 : 0);
    });

  program
    .command('list')
    .description('processed images, newest first: id, received, size, type, description')
    .addOption(new Option('--limit <n>', 'how many (1 to 500)').argParser(parseLimit).default(50))
    .option('--json', 'print the API\'s JSON')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const { data } = await withRetry(() => client().GET('/api/images', { params: { query: { limit: opts.limit } } }));
      if (opts.json) console.log(JSON.stringify(data, null, 2));
      else for (const image of data) console.log(listLine(image));
      exit(0);
    });

  return program;
}
