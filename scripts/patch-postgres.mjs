// Runs at `npm install` / `npm ci` (package.json "postinstall"), under Node,
// before Bun is needed.
//
// postgres.js 3.4.9 cancels its deferred write on teardown without clearing
// the timer variable or the buffered bytes (`clearImmediate(nextWriteTimer)`
// in terminate() and closed()). A connection whose socket dies with a write
// pending then never flushes again: each reconnect's StartupMessage stays
// buffered until connect_timeout. After a PostgreSQL blip, API reads on that
// connection waited 5 s and answered 503 though PostgreSQL was back.
// No release fixes it yet, so the two lines are mended here, in every build
// the package ships. shared/db-reconnect.test.ts fails if this stops applying.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres');
const BUILDS = ['src', 'cjs/src', 'cf/src'];
const BROKEN = /^([ \t]*)clearImmediate\(nextWriteTimer\)$/gm;
const MENDED = 'chunk = nextWriteTimer = null // kadr: scripts/patch-postgres.mjs';

function fail(message) {
  console.error(`patch-postgres: ${message}`);
  process.exit(1);
}

let version;
try {
  version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
} catch (err) {
  fail(`cannot read node_modules/postgres/package.json (${err.message})`);
}

for (const build of BUILDS) {
  const file = join(root, build, 'connection.js');
  const source = readFileSync(file, 'utf8');
  if (source.includes(MENDED)) continue;
  const sites = source.match(BROKEN)?.length ?? 0;
  // Two teardown sites in 3.4.9. Anything else is a release this was not
  // written for: stop loudly rather than guess (re-check it by hand, then
  // update or drop this script).
  if (sites !== 2) fail(`expected 2 teardown sites in postgres ${version} ${build}/connection.js, found ${sites}`);
  writeFileSync(file, source.replace(BROKEN, (line, indent) => `${line}\n${indent}${MENDED}`));
}
console.log(`patch-postgres: postgres ${version} mended (deferred write reset on teardown)`);
