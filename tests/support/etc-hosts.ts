import { readFile, writeFile } from 'node:fs/promises';

const HOSTS = '/etc/hosts';

/**
 * Runs `fn` with `entries` (name → address) added to /etc/hosts, so the
 * system resolver (getaddrinfo) answers them, and removes exactly those lines
 * afterwards, even when `fn` throws. Each line carries a marker unique to
 * this call, so tests running at the same time never remove each other's.
 * CI runs as root; elsewhere /etc/hosts must be writable by the test.
 */
export async function withHostsEntries<T>(entries: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const marker = `# kadr-test-${process.pid}-${crypto.randomUUID()}`;
  const lines = Object.entries(entries).map(([name, address]) => `${address} ${name} ${marker}`);
  const before = await readFile(HOSTS, 'utf8');
  await writeFile(HOSTS, `${before.endsWith('\n') || before === '' ? before : `${before}\n`}${lines.join('\n')}\n`);
  try {
    return await fn();
  } finally {
    const now = await readFile(HOSTS, 'utf8');
    await writeFile(HOSTS, now.split('\n').filter((line) => !line.endsWith(marker)).join('\n'));
  }
}
