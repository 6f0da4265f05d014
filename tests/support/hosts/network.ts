import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The one private /24 the several-hosts test uses, only inside its own namespaces. */
export const SUBNET = '10.77.13';

/**
 * Every namespace this harness makes is named `kadr-h-<pid>-<tag>-<host>`:
 * the pid of the test process that made it (so a later run can tell a
 * crashed run's leftovers from a parallel run's live hosts) and a random tag
 * (so two runs never share a name). Its folder is `<tmp>/kadr-hosts-<pid>-<tag>`.
 */
const NAME = /^kadr-h-(\d+)-([a-z0-9]+)-[a-z0-9]+$/;
const DIR = /^kadr-hosts-(\d+)-([a-z0-9]+)$/;

export interface Host {
  name: string;
  /** Its network namespace. */
  ns: string;
  address: string;
  /** Its end of the link, inside its own namespace. */
  link: string;
  /** The other end, on the switch's bridge. */
  port: string;
}

/** Runs `ip …` (or any command) and throws with its stderr when it fails. */
export function run(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function tryRun(cmd: string[]): void {
  spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
}

/**
 * Why namespaces cannot be made here, or undefined when they can: tried for
 * real (create and delete one), since root alone is not enough in a
 * container without CAP_SYS_ADMIN.
 */
export function whyNoNamespaces(): string | undefined {
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()}): ip netns needs root`;
  const probe = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `the ip command (iproute2) is missing: ${probe.error?.message ?? probe.stderr}`;
  const ns = `kadr-h-${process.pid}-probe${Math.random().toString(36).slice(2, 6)}-x`;
  const made = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (made.status !== 0) return `ip netns add failed: ${made.stderr.trim()}`;
  tryRun(['ip', 'netns', 'del', ns]);
  return undefined;
}

/** Whether `pid` still runs (a zombie, killed but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    // The state follows the parenthesised command name, which may itself hold spaces.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsIn(namespaces: string[]): number[] {
  return namespaces.flatMap((ns) =>
    spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number),
  );
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Removes `namespaces`, their links and every process in them: SIGTERM to
 * all, up to `graceMs` to exit, then SIGKILL. Deleting a namespace deletes
 * the veth ends and bridge inside it, and so their peers; a namespace only
 * disappears once no process is left in it, hence the kill first.
 */
function removeNamespaces(namespaces: string[], graceMs: number): void {
  for (const pid of pidsIn(namespaces)) tryKill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidsIn(namespaces).length && Date.now() < deadline) Bun.sleepSync(50);
  for (const pid of pidsIn(namespaces)) tryKill(pid, 'SIGKILL');
  while (pidsIn(namespaces).length && Date.now() < deadline + 5000) Bun.sleepSync(50);
  for (const ns of namespaces) tryRun(['ip', 'netns', 'del', ns]);
}

/**
 * Removes what crashed runs of this harness left: namespaces (with their
 * processes and links) and folders whose test process is gone. A live run's
 * hosts are never touched.
 */
export function sweepLeftovers(): string[] {
  const swept: string[] = [];
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const line of list.split('\n')) {
    const ns = line.split(' ')[0]!;
    const m = NAME.exec(ns);
    if (m && !alive(Number(m[1]))) swept.push(ns);
  }
  removeNamespaces(swept, 1000);
  for (const entry of readdirSync(tmpdir())) {
    const m = DIR.exec(entry);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    swept.push(entry);
  }
  return swept;
}

/**
 * Hosts on one switch: a namespace per host with `lo` up and one veth link
 * to a bridge that lives in a namespace of its own, so nothing is added to
 * the machine's root namespace. Host `i` (from 1) gets `<SUBNET>.<i>/24`.
 * `destroy()` removes every namespace, link and process; it is synchronous,
 * so it also runs from an exit or signal handler.
 */
export class Network {
  readonly hosts = new Map<string, Host>();
  readonly switchNs: string;
  private destroyed = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.destroy();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  private readonly onExit = () => this.destroy();

  private constructor(readonly tag: string) {
    this.switchNs = this.nsName('switch');
  }

  /** The folder for this run's files, removed by a later sweep if the run crashes before removing it. */
  get dir(): string {
    return join(tmpdir(), `kadr-hosts-${process.pid}-${this.tag}`);
  }

  private nsName(host: string): string {
    return `kadr-h-${process.pid}-${this.tag}-${host}`;
  }

  static create(hostNames: string[]): Network {
    const net = new Network(Math.random().toString(36).slice(2, 7).padEnd(5, '0'));
    process.on('exit', net.onExit);
    process.on('SIGINT', net.onSignal);
    process.on('SIGTERM', net.onSignal);
    try {
      const bridge = `kbr${net.tag}`;
      run(['ip', 'netns', 'add', net.switchNs]);
      run(['ip', '-n', net.switchNs, 'link', 'set', 'lo', 'up']);
      run(['ip', '-n', net.switchNs, 'link', 'add', bridge, 'type', 'bridge']);
      run(['ip', '-n', net.switchNs, 'link', 'set', bridge, 'up']);
      hostNames.forEach((name, i) => {
        const host: Host = {
          name,
          ns: net.nsName(name),
          address: `${SUBNET}.${i + 1}`,
          link: `kh${net.tag}${i + 1}`,
          port: `ks${net.tag}${i + 1}`,
        };
        run(['ip', 'netns', 'add', host.ns]);
        net.hosts.set(name, host);
        run(['ip', '-n', host.ns, 'link', 'set', 'lo', 'up']);
        // Made inside the switch namespace with the peer moved straight into
        // the host's: the root namespace never holds either end.
        run(['ip', '-n', net.switchNs, 'link', 'add', host.port, 'type', 'veth', 'peer', 'name', host.link, 'netns', host.ns]);
        run(['ip', '-n', net.switchNs, 'link', 'set', host.port, 'master', bridge, 'up']);
        run(['ip', '-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', host.link]);
        run(['ip', '-n', host.ns, 'link', 'set', host.link, 'up']);
      });
    } catch (err) {
      net.destroy();
      throw err;
    }
    return net;
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** The command prefix that runs a program on host `name`. */
  exec(name: string): string[] {
    return ['ip', 'netns', 'exec', this.host(name).ns];
  }

  /** Pulls host `name`'s cable: its switch port goes down, packets are dropped, connections stay open. */
  cut(name: string): void {
    run(['ip', '-n', this.switchNs, 'link', 'set', this.host(name).port, 'down']);
  }

  restore(name: string): void {
    run(['ip', '-n', this.switchNs, 'link', 'set', this.host(name).port, 'up']);
  }

  /** Ends every process on every host, removes every namespace (and so every link) and the folder; safe to call twice. */
  destroy(graceMs = 5000): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    removeNamespaces([...[...this.hosts.values()].map((h) => h.ns), this.switchNs], graceMs);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
