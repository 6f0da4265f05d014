import { expect, test } from 'bun:test';
import { join } from 'node:path';

// The API validates and documents pipelines with shared/operations/, but
// must not pay for loading the image libraries: they are the processor's.
test('building the API, operation schemas included, loads no image library', async () => {
  const script = `
    const { stepsSchema } = await import('./shared/operations/steps.ts');
    await import('./api/app.ts');
    stepsSchema();
    const loaded = Object.keys(require.cache).filter((k) => /node_modules\\/(sharp|satori|@resvg)\\//.test(k));
    console.log(JSON.stringify(loaded));
  `;
  const proc = Bun.spawn([process.execPath, '-e', script], { cwd: join(import.meta.dir, '..'), stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()];
  expect(await proc.exited).toBe(0);
  expect(err).toBe('');
  expect(JSON.parse(out)).toEqual([]);
});

test('the probe would see an image library if one were loaded', async () => {
  const script = `await import('sharp'); console.log(Object.keys(require.cache).some((k) => /node_modules\\/sharp\\//.test(k)));`;
  const proc = Bun.spawn([process.execPath, '-e', script], { cwd: join(import.meta.dir, '..'), stdout: 'pipe' });
  expect((await new Response(proc.stdout).text()).trim()).toBe('true');
});
