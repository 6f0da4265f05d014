import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from 'bun';
import type { S3StorageConfig } from '../../shared/config.ts';
import { freePort } from './ports.ts';
import { until } from './wait.ts';

const S3RVER = fileURLToPath(new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url));
// s3rver accepts any well-formed signature made with its fixed credentials.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A real S3 server of a test's own (s3rver, which speaks the S3 protocol over
 * HTTP and keeps objects in a folder), with one bucket. `prefix` runs it
 * inside a network namespace (`ip netns exec <ns>`), bound to that host's
 * address; then `start` cannot see it and does not wait: the caller waits
 * with `answers(endpoint)` through whatever reaches it. The check methods
 * take an `endpoint` for the same reason (default: the server's own).
 */
export class S3Server {
  /** What it wrote, for error messages. */
  readonly output: string[] = [];
  private constructor(
    readonly address: string,
    readonly port: number,
    readonly bucket: string,
    readonly dir: string,
    private readonly proc: ReturnType<typeof Bun.spawn>,
  ) {}

  /** The server's process id (the benchmark reads its CPU time and RSS). */
  get pid(): number {
    return this.proc.pid;
  }

  get endpoint(): string {
    return `http://${this.address}:${this.port}`;
  }

  /** `dir`: where it keeps the objects (default a new temporary folder); removed by `stop()`. */
  static async start(opts: { address?: string; port?: number; bucket?: string; prefix?: string[]; dir?: string } = {}): Promise<S3Server> {
    const address = opts.address ?? '127.0.0.1';
    const port = opts.port ?? (await freePort());
    const bucket = opts.bucket ?? 'kadr-test';
    const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'kadr-s3-')));
    await mkdir(dir, { recursive: true });
    // s3rver runs on Node (as npm installs it); Bun is not needed for it.
    const proc = Bun.spawn(
      [...(opts.prefix ?? []), 'node', S3RVER, '-d', dir, '-a', address, '-p', String(port), '--configure-bucket', bucket, '--silent'],
      { stdout: 'pipe', stderr: 'pipe' },
    );
    const server = new S3Server(address, port, bucket, dir, proc);
    void server.collect(proc.stdout as ReadableStream<Uint8Array>);
    void server.collect(proc.stderr as ReadableStream<Uint8Array>);
    try {
      if (!opts.prefix) await until('s3rver answering', () => server.answers(), 15_000, { explain: () => server.output.join('') });
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async collect(stream: ReadableStream<Uint8Array>) {
    for await (const chunk of stream) this.output.push(new TextDecoder().decode(chunk));
  }

  /** The store settings a kadr service needs to use this server. */
  storage(prefix = '', endpoint = this.endpoint): S3StorageConfig {
    return { kind: 's3', bucket: this.bucket, prefix, endpoint, region: 'us-east-1', forcePathStyle: true, ...CREDENTIALS };
  }

  /** The same as environment variables. */
  env(prefix = ''): Record<string, string> {
    return {
      STORAGE_URL: `s3://${this.bucket}${prefix ? `/${prefix}` : ''}`,
      S3_ENDPOINT: this.endpoint,
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  }

  /** A client of its own, for checks made from outside kadr. */
  client(endpoint = this.endpoint): S3Client {
    return new S3Client({ ...CREDENTIALS, bucket: this.bucket, endpoint, region: 'us-east-1' });
  }

  /**
   * Every key in the bucket under `prefix`: at most 1000, since s3rver fails
   * truncated listings (its continuation is broken); more is a test bug.
   */
  async keys(prefix = '', endpoint = this.endpoint): Promise<string[]> {
    const page = await this.client(endpoint).list({ prefix: prefix || undefined });
    if (page.isTruncated) throw new Error('more than 1000 objects: s3rver cannot page through them');
    return (page.contents ?? []).map((o) => o.key);
  }

  async answers(endpoint = this.endpoint): Promise<boolean> {
    try {
      await this.client(endpoint).list({ prefix: 'kadr-test-readiness/' });
      return true;
    } catch {
      return false;
    }
  }

  /** Freezes the server (SIGSTOP): requests to it wait, unanswered, until resume(). */
  pause(): void {
    this.proc.kill('SIGSTOP');
  }

  resume(): void {
    this.proc.kill('SIGCONT');
  }

  /** Stops it and removes its folder; safe to call twice. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.resume();
      this.proc.kill('SIGTERM');
      await Promise.race([this.proc.exited, Bun.sleep(3000).then(() => this.proc.kill('SIGKILL'))]);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
