#!/usr/bin/env bun
// The kadr command line: `npx kadr --help`. Commands live in program.ts.
import { ApiError } from './api-call.ts';
import { kadrProgram } from './program.ts';

let code = 0;
try {
  await kadrProgram((c) => (code = c)).parseAsync(process.argv);
} catch (err) {
  // A refusal shows the API's own status, code and message.
  console.error(`kadr: ${err instanceof ApiError ? String(err) : err instanceof Error ? err.message : String(err)}`);
  code = 1;
}
process.exit(code);
