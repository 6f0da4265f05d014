/**
 * The memory JavaScriptCore is told the machine has, for every kadr service
 * process. JSC sizes its heap growth from the machine's RAM; on a 24 GB host
 * it lets garbage (each upload leaves its ~50 KB body behind, each render
 * ~2 MB of buffers) pile up before collecting, so peak RSS follows the
 * host's RAM rather than the work. Bun reads this variable only at process
 * start (not from .env), so whoever spawns a service sets it: the `npm start`
 * supervisor, the benchmark, compose.yml.
 *
 * Measured (bench, 2,000 uploads, all services): api peak 146 → 130 MiB,
 * processors 217 → 188-195 MiB, same images/s. The api alone spends ~15 %
 * more CPU per upload collecting sooner (0.33 → 0.38 ms), 1 % of the machine.
 * An explicit BUN_JSC_forceRAMSize in the environment wins.
 */
export const HEAP_HINT_BYTES = 512 * 1024 * 1024;

/** The variable for a spawned service's environment: the hint, or the one already set. */
export function heapHintEnv(): { BUN_JSC_forceRAMSize: string } {
  return { BUN_JSC_forceRAMSize: process.env.BUN_JSC_forceRAMSize || String(HEAP_HINT_BYTES) };
}
