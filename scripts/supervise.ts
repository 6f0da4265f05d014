import { fileURLToPath } from 'node:url';
import { heapHintEnv } from '../shared/heap-hint.ts';
import { priorityPrefix, type ProcessorPriority } from '../shared/cpu-priority.ts';

export interface ServiceSpec {
  name: string;
  entry: string;
  /** CPU priority, applied at spawn (see cpu-priority.ts); none means normal. */
  priority?: ProcessorPriority;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Copies a child's output to `out`, each line prefixed with the service's
 * name. Never rejects: the supervisor starts these without waiting on them,
 * and an unhandled rejection would end the one process that keeps the others
 * alive. A failure (the child's pipe broken, our own output closed) ends this
 * pipe with a note on `report` where that can still be written.
 */
export async function pipeWithPrefix(
  stream: ReadableStream<Uint8Array>,
  prefix: string,
  out: NodeJS.WriteStream,
  report: NodeJS.WriteStream = process.stderr,
): Promise<void> {
  try {
    const decoder = new TextDecoder();
    let carry = '';
    for await (const chunk of stream) {
      const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
      carry = lines.pop() ?? '';
      if (lines.length) out.write(lines.map((l) => `${prefix} ${l}\n`).join(''));
    }
    if (carry) out.write(`${prefix} ${carry}\n`);
  } catch (err) {
    try {
      report.write(`${prefix} output pipe failed: ${(err as Error).message}\n`);
    } catch {
      // Our own output is gone too: nothing left to tell.
    }
  }
}

/**
 * Runs the services as child processes until SIGINT/SIGTERM, restarting any
 * that dies (after a pause, so a crash loop does not spin) under the same
 * consumer name. On a signal every child gets SIGTERM and time to drain;
 * stragglers get SIGKILL.
 */
export async function superviseAll(
  specs: ServiceSpec[],
  /** `consumerName` prefixes each slot's consumer name (Config.consumerSlotPrefix). */
  opts: { shutdownTimeoutMs: number; consumerName: string },
): Promise<never> {
  let stopping = false;
  const running = new Map<string, ReturnType<typeof Bun.spawn>>();
  const width = Math.max(...specs.map((s) => s.name.length));

  const launch = (spec: ServiceSpec) => {
    const cmd = [process.execPath, spec.entry];
    const child = Bun.spawn([...priorityPrefix(spec.priority ?? 'normal'), ...cmd], {
      cwd: ROOT,
      stdout: 'pipe',
      stderr: 'pipe',
      // One stable consumer name per slot (`<host or CONSUMER_NAME>-<slot>`,
      // the same at every start): a worker restarted after a crash takes its
      // own pending entries back at once instead of waiting RECLAIM_IDLE_MS
      // for another to reclaim them, the group gains no new consumer per
      // restart, and no two slots share one.
      env: { ...process.env, ...heapHintEnv(), CONSUMER_NAME: `${opts.consumerName}-${spec.name}` },
    });
    running.set(spec.name, child);
    const prefix = `[${spec.name.padEnd(width)}]`;
    void pipeWithPrefix(child.stdout as ReadableStream<Uint8Array>, prefix, process.stdout);
    void pipeWithPrefix(child.stderr as ReadableStream<Uint8Array>, prefix, process.stderr);
    void child.exited.then((code) => {
      running.delete(spec.name);
      if (stopping) return;
      process.stderr.write(`${prefix} exited with code ${code}; restarting in 1 s\n`);
      setTimeout(() => !stopping && launch(spec), 1000);
    });
  };

  for (const spec of specs) launch(spec);

  return new Promise<never>(() => {
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write('stopping all services...\n');
      const children = [...running.values()];
      for (const c of children) c.kill('SIGTERM');
      const killer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), opts.shutdownTimeoutMs + 2000);
      const codes = await Promise.all(children.map((c) => c.exited));
      clearTimeout(killer);
      process.exit(codes.every((c) => c === 0) ? 0 : 1);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
