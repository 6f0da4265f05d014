import postgres from 'postgres';
import { redactUrl } from './redis.ts';
import { sqlStateOf } from './sqlstate.ts';

export type Sql = postgres.Sql;

/**
 * Connects to PostgreSQL and proves it with one query, or throws an Error
 * naming the URL and what to do: create the database when PostgreSQL
 * answers that it does not exist (SQLSTATE 3D000), else start PostgreSQL.
 */
export async function connectDb(url: string, opts: { max?: number } = {}): Promise<Sql> {
  const sql = postgres(url, {
    max: opts.max ?? 5,
    connect_timeout: 5,
    idle_timeout: 60,
    // postgres.js waits out a growing backoff (up to 20 s) before reconnecting
    // after failed attempts, and a query arriving meanwhile waits with it: an
    // API read would hang that long instead of answering 503, and a saver
    // would resume that late. Callers retry on their own terms, so keep it short.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    onnotice: () => {},
  });
  try {
    await sql`select 1`;
  } catch (cause) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw bootError(url, cause);
  }
  return sql;
}

/** Why the first query failed, as the one line a person starting kadr reads. */
function bootError(url: string, cause: unknown): Error {
  if (sqlStateOf(cause) === '3D000') {
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    return new Error(
      `PostgreSQL at ${redactUrl(url)} answers, but database "${name}" does not exist (3D000). ` +
        `Create it (e.g. \`createdb ${name}\`, or \`psql -c 'create database "${name}"'\`) or set DATABASE_URL to one that exists.`,
      { cause },
    );
  }
  const code = (cause as { code?: string }).code ?? (cause as Error).message;
  return new Error(
    `Cannot reach PostgreSQL at ${redactUrl(url)} (${code}). ` +
      'Start it (e.g. `pg_ctlcluster 15 main start`, or `docker compose up -d redis postgres`) or set DATABASE_URL.',
    { cause },
  );
}
