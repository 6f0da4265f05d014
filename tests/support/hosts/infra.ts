import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, SUBNET, type Network } from './network.ts';
import { spawnCollecting, waitForOutput, type Spawned } from '../spawned.ts';

export const REDIS_PORT = 6379;
export const PG_PORT = 5432;
export const S3_PORT = 9000;

/** A redis-server on `host`'s address only; no persistence (nothing here restarts it). */
export function startRedis(net: Network, host: string): Spawned {
  const { address } = net.host(host);
  return spawnCollecting([
    ...net.exec(host), 'redis-server', '--bind', address, '--port', String(REDIS_PORT),
    // Reached from other hosts without a password: the namespace network is the test's own.
    '--protected-mode', 'no', '--save', '', '--appendonly', 'no',
  ]);
}

/** The newest installed PostgreSQL's bin folder (Debian's /usr/lib/postgresql/<major>/bin). */
function postgresBin(): string {
  const majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  if (!majors.length) throw new Error('PostgreSQL is not installed: no /usr/lib/postgresql/<major>/bin (Debian package postgresql)');
  return `/usr/lib/postgresql/${majors[0]}/bin`;
}

/**
 * A PostgreSQL cluster of the test's own on `host`, run as the `postgres` OS
 * user (it refuses root) from a data folder under `dir`, listening on the
 * host's address only with trust for the test subnet. Durability is off: the
 * test never restarts it. Resolves once it accepts connections.
 */
export async function startPostgres(net: Network, host: string, dir: string): Promise<Spawned> {
  const bin = postgresBin();
  const data = join(dir, 'pg');
  mkdirSync(data, { mode: 0o700 });
  run(['chown', 'postgres:postgres', data]);
  const asPostgres = [...net.exec(host), 'runuser', '-u', 'postgres', '--'];
  const init = spawnSync(asPostgres[0]!, [...asPostgres.slice(1), `${bin}/initdb`, '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  appendFileSync(join(data, 'pg_hba.conf'), `host all all ${SUBNET}.0/24 trust\n`);
  const pg = spawnCollecting([
    ...asPostgres, `${bin}/postgres`, '-D', data, '-c', `listen_addresses=${net.host(host).address}`, '-c', `port=${PG_PORT}`,
    // No Unix socket: the machine's own PostgreSQL has the default one.
    '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ]);
  await waitForOutput('postgres', pg, 'database system is ready to accept connections', 30_000);
  return pg;
}
