import { describe, expect, test } from 'bun:test';
import { createServer } from 'node:net';
import { connectDb } from '../../shared/db.ts';
import { TEST_PG_ADMIN_URL, uniqueName } from '../support/namespace.ts';

/** The error connectDb throws for `url` (it must throw). */
async function bootError(url: string): Promise<Error> {
  try {
    const sql = await connectDb(url);
    await sql.end();
  } catch (err) {
    return err as Error;
  }
  throw new Error(`connectDb(${url}) connected`);
}

/** A loopback port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connecting at boot names what is wrong with the database', () => {
  test('a database that does not exist on a running PostgreSQL is named, with how to create it', async () => {
    const url = new URL(TEST_PG_ADMIN_URL);
    const name = uniqueName('missing');
    url.pathname = `/${name}`;
    const err = await bootError(url.toString());
    expect(err.message).toContain(`database "${name}" does not exist`);
    expect(err.message).toContain(`createdb ${name}`);
    expect(err.message).not.toContain('Cannot reach PostgreSQL');
    expect((err.cause as { code?: string }).code).toBe('3D000');
  });

  test('a PostgreSQL that does not answer is still reported as unreachable, with how to start it', async () => {
    const url = new URL(TEST_PG_ADMIN_URL);
    url.port = String(await closedPort());
    const err = await bootError(url.toString());
    expect(err.message).toContain('Cannot reach PostgreSQL');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('Start it');
  });
});
