/** A child process whose stdout and stderr are collected as they arrive. */
export interface Spawned {
  proc: ReturnType<typeof Bun.spawn>;
  /** Everything it wrote, stdout and stderr interleaved in arrival order. */
  output: string[];
}

/** Starts `cmd` and collects its output into `output`. */
export function spawnCollecting(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Spawned {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const spawned: Spawned = { proc, output: [] };
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) spawned.output.push(decoder.decode(chunk, { stream: true }));
  };
  void collect(proc.stdout as ReadableStream<Uint8Array>);
  void collect(proc.stderr as ReadableStream<Uint8Array>);
  return spawned;
}

/** Waits until `name` wrote `text`; throws with its output when it exits first or the time runs out. */
export async function waitForOutput(name: string, s: Spawned, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!s.output.join('').includes(text)) {
    if (s.proc.exitCode !== null) throw new Error(`${name} exited (${s.proc.exitCode}):\n${s.output.join('')}`);
    if (Date.now() > deadline) throw new Error(`${name} did not log "${text}" in ${timeoutMs} ms:\n${s.output.join('')}`);
    await Bun.sleep(50);
  }
}

/** The JSON log lines (pino writes one object per line) with this `msg`, across `runs`. */
export function logLines(runs: Spawned[], msg: string): Array<Record<string, unknown>> {
  const marker = `"msg":${JSON.stringify(msg)}`;
  const out: Array<Record<string, unknown>> = [];
  for (const s of runs) {
    // A line still being written has no match yet.
    for (const line of s.output.join('').split('\n')) if (line.includes(marker)) out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

/** SIGTERM to each still running, SIGKILL to any not gone within `graceMs`; resolves once all have exited. */
export async function stopAll(procs: Array<ReturnType<typeof Bun.spawn>>, graceMs = 8000): Promise<void> {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => Promise.race([p.exited, Bun.sleep(graceMs).then(() => p.kill('SIGKILL'))])));
  await Promise.all(procs.map((p) => p.exited));
}
