import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Footprint } from './footprint.ts';
import { formOf, type Part } from './multipart.ts';
import type { TestSystem } from './system.ts';

export interface Rejection {
  name: string;
  send: (baseUrl: string) => Promise<Response>;
  status: number;
  code: string;
  field?: string;
  /** Text the message must contain, where it matters what it names. */
  says?: string[];
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** A POST of `parts` as FormData, to /api/images or another upload endpoint. */
export const post =
  (parts: Part[], headers: Record<string, string> = {}, path = '/api/images') =>
  (baseUrl: string) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', body: formOf(parts), headers });

/** A POST of a body written by hand, under the given Content-Type (none when undefined). */
export const postRaw =
  (contentType: string | undefined, body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>) =>
  (baseUrl: string) =>
    fetch(`${baseUrl}/api/images`, { method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} });

/**
 * Registers one test per case: the exact status, code and field, JSON with
 * nosniff, every service still running, and nothing written anywhere (no
 * key under the prefix, no stream entry ever added, no row, no file).
 */
export function rejectionSuite(title: string, cases: Rejection[], system: () => TestSystem): void {
  describe(title, () => {
    let footprint: Footprint;
    beforeAll(async () => {
      footprint = await Footprint.open(system());
    });
    afterAll(() => footprint?.close());

    for (const c of cases) {
      test(`${c.name} → ${c.status} ${c.code}`, async () => {
        const before = await footprint.take();
        const res = await c.send(system().baseUrl);
        expect(res.status).toBe(c.status);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-type')).toContain('application/json');
        const { error } = (await res.json()) as ErrorBody;
        expect(error.code).toBe(c.code);
        if (c.field) expect(error.field).toBe(c.field);
        expect(error.message.length).toBeGreaterThan(10);
        for (const text of c.says ?? []) expect(error.message).toContain(text);
        expect(system().allAlive()).toBe(true);
        expect(await footprint.take()).toEqual(before);
      });
    }
  });
}

/** For a system that has only ever refused uploads: the services are ready and nothing at all was written. */
export async function expectUntouched(system: TestSystem): Promise<void> {
  expect(system.allAlive()).toBe(true);
  expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(200);
  const footprint = await Footprint.open(system);
  try {
    expect(await footprint.take()).toEqual({ keys: [], added: { uploads: 0, captioned: 0, dead: 0 }, rows: 0, files: [] });
  } finally {
    await footprint.close();
  }
}
