import { describe, expect, test } from 'bun:test';
import { pipeWithPrefix } from './supervise.ts';

/** A stand-in for process.stdout/stderr that keeps what was written, or throws like a closed pipe. */
function sink(opts: { throws?: boolean } = {}) {
  const written: string[] = [];
  const out = {
    write(chunk: string) {
      if (opts.throws) throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      written.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { out, written };
}

const lines = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      c.close();
    },
  });

describe('supervisor output pipes', () => {
  test('prefix every line of a child\'s output, a last line without a newline included', async () => {
    const { out, written } = sink();
    await pipeWithPrefix(lines('one\ntw', 'o\nthree'), '[api]', out);
    expect(written.join('')).toBe('[api] one\n[api] two\n[api] three\n');
  });

  test('a child\'s output stream that fails ends its pipe with a note, never a rejection that would take the supervisor down', async () => {
    let pulls = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulls++ === 0) c.enqueue(new TextEncoder().encode('before\n'));
        else c.error(new Error('pipe broke'));
      },
    });
    const { out, written } = sink();
    const report = sink();
    await pipeWithPrefix(broken, '[saver]', out, report.out);
    expect(written.join('')).toBe('[saver] before\n');
    expect(report.written.join('')).toContain('[saver] output pipe failed: pipe broke');
  });

  test('a write that throws (the supervisor\'s own output closed) does not reject either', async () => {
    const { out } = sink({ throws: true });
    const report = sink({ throws: true });
    await pipeWithPrefix(lines('lost\n'), '[processor]', out, report.out);
  });
});
