import { describe, expect, test } from 'bun:test';
import { SourceForbiddenError } from '../../shared/errors.ts';
import { createSsrfGuard, type Resolver } from '../../shared/net/ssrf-guard.ts';
import { refuseForbiddenSources } from './source-url.ts';

const names: Record<string, string[]> = { 'public.test': ['93.184.216.34'], 'private.test': ['10.0.0.1'], 'mixed.test': ['93.184.216.34', '127.0.0.1'] };
const resolve: Resolver = async (hostname) => {
  if (hostname === 'slow.test') return new Promise(() => {});
  const found = names[hostname];
  if (!found) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: 4 as const }));
};
const guard = createSsrfGuard({ allowNetworks: [], allowPorts: [], resolve });
const src = (url: string, field = 'url') => ({ url, field });

describe('refuseForbiddenSources, the API side of the guard', () => {
  test('lets public addresses through', async () => {
    await refuseForbiddenSources(guard, [src('https://public.test/a.jpg'), src('http://93.184.216.34/b.jpg')]);
  });

  test('a literal refused address is 422 source_forbidden naming the field', async () => {
    const err = await refuseForbiddenSources(guard, [src('http://169.254.169.254/latest/meta-data/')]).catch((e) => e);
    expect(err).toBeInstanceOf(SourceForbiddenError);
    expect([err.status, err.code, err.field]).toEqual([422, 'source_forbidden', 'url']);
  });

  test('a name resolving only to a refused address, or to one refused among others, is refused', async () => {
    for (const url of ['http://private.test/a.jpg', 'http://mixed.test/a.jpg']) {
      expect(await refuseForbiddenSources(guard, [src(url)]).catch((e) => e)).toBeInstanceOf(SourceForbiddenError);
    }
  });

  test('a port other than 80 and 443 is refused', async () => {
    expect(await refuseForbiddenSources(guard, [src('http://public.test:6379/')]).catch((e) => e)).toBeInstanceOf(SourceForbiddenError);
  });

  test('a name that does not resolve, or resolves too slowly, is accepted for the processor to judge', async () => {
    await refuseForbiddenSources(guard, [src('https://no-such-name.test/a.jpg'), src('https://slow.test/a.jpg')], 50);
  });

  test('in a batch, the first refused source in the order sent is the one named', async () => {
    const err = await refuseForbiddenSources(guard, [
      src('https://public.test/0.jpg', 'url[0]'),
      src('http://private.test/1.jpg', 'url[1]'),
      src('http://127.0.0.1/2.jpg', 'url[2]'),
    ]).catch((e) => e);
    expect(err.field).toBe('url[1]');
  });
});
