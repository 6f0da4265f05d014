import { mkdir } from 'node:fs/promises';

/** Writes a response body to `path` as it streams in, creating the folder first. */
export async function saveBody(body: ReadableStream<Uint8Array>, path: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Bun.write(path, new Response(body));
}
