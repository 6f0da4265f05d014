// Lints the OpenAPI document GET /swagger/json answers, built from createApp
// without listening or connecting to anything: Redocly's recommended rules
// (redocly.yaml) and Spectral's spectral:oas (.spectral.yaml). Any error, or
// any warning not switched off with its reason in those files, fails the run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../shared/config.ts';
import { openApiDocument } from '../api/swagger/openapi-document.ts';

const root = join(import.meta.dir, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

async function run(cmd: string[]): Promise<number> {
  // Neither linter is to reach the network: Redocly's telemetry and update check are off.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const proc = Bun.spawn(cmd, { cwd: root, env, stdout: 'inherit', stderr: 'inherit' });
  return proc.exited;
}

const dir = await mkdtemp(join(tmpdir(), 'kadr-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  // The defaults of every setting: the document as a fresh deployment serves it.
  await Bun.write(file, JSON.stringify(await openApiDocument(loadConfig({})), null, 2));
  const redocly = await run([bin('redocly'), 'lint', '--config', join(root, 'redocly.yaml'), '--max-problems', '200', file]);
  const spectral = await run([bin('spectral'), 'lint', '--ruleset', join(root, '.spectral.yaml'), '--fail-severity', 'warn', file]);
  if (redocly !== 0 || spectral !== 0) {
    console.error(`lint-openapi: ${redocly !== 0 ? 'redocly' : ''}${redocly !== 0 && spectral !== 0 ? ' and ' : ''}${spectral !== 0 ? 'spectral' : ''} found problems`);
    process.exit(1);
  }
  console.log('lint-openapi: the OpenAPI document lints clean (redocly recommended, spectral:oas)');
} finally {
  await rm(dir, { recursive: true, force: true });
}
