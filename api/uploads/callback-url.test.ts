import { describe, expect, test } from 'bun:test';
import { ValidationError } from '../../shared/errors.ts';
import { createSsrfGuard } from '../../shared/net/ssrf-guard.ts';
import { readCallbackUrl, refuseForbiddenCallback } from './callback-url.ts';

const formWith = (...values: Array<string | Blob>) => {
  const form = new FormData();
  for (const v of values) form.append('callback_url', v);
  return form;
};

const refusal = (form: FormData, enabled = true): ValidationError => {
  try {
    readCallbackUrl(form, enabled);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a refusal');
};

describe('callback_url', () => {
  test('is optional, and taken as sent when it is an http or https URL', () => {
    expect(readCallbackUrl(new FormData(), false)).toBeUndefined();
    expect(readCallbackUrl(formWith(''), false)).toBeUndefined();
    expect(readCallbackUrl(formWith('  '), true)).toBeUndefined();
    expect(readCallbackUrl(formWith('https://example.com/hooks?x=1'), true)).toBe('https://example.com/hooks?x=1');
    expect(readCallbackUrl(formWith('http://example.com:8080/'), true)).toBe('http://example.com:8080/');
  });

  test('is refused as webhooks_disabled while WEBHOOK_SECRET is unset', () => {
    const err = refusal(formWith('https://example.com/hooks'), false);
    expect(err.code).toBe('webhooks_disabled');
    expect(err.message).toContain('WEBHOOK_SECRET');
  });

  test('names what is wrong with a URL that is not http(s), not absolute, too long, a file or sent twice', () => {
    expect(refusal(formWith('ftp://example.com/x')).code).toBe('invalid_callback_url');
    expect(refusal(formWith('/hooks')).message).toContain('expected an absolute http or https URL, got "/hooks"');
    expect(refusal(formWith('HTTPS://example.com/')).code).toBe('invalid_callback_url');
    expect(refusal(formWith(`https://example.com/${'a'.repeat(2048)}`)).message).toContain('at most 2048 characters');
    expect(refusal(formWith(new Blob(['https://example.com/']))).message).toContain('got a file');
    expect(refusal(formWith('https://a.example/', 'https://b.example/')).code).toBe('too_many_values');
  });
});

describe('callback_url and the SSRF guard', () => {
  // A resolver of the test's own: no network.
  const guard = createSsrfGuard({
    allowNetworks: [],
    allowPorts: [],
    resolve: async (name) => (name === 'metadata.example' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '93.184.215.14', family: 4 }]),
  });

  test('a public address is let through', async () => {
    await refuseForbiddenCallback(guard, 'https://hooks.example/kadr');
    await refuseForbiddenCallback(guard, undefined);
  });

  test('a refused literal address, a name resolving to one, or another port is 422 callback_forbidden naming the field', async () => {
    for (const url of ['http://169.254.169.254/latest', 'http://[::1]/x', 'https://metadata.example/x', 'https://hooks.example:8443/x']) {
      const err = await refuseForbiddenCallback(guard, url).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('callback_forbidden');
      expect((err as ValidationError).message).toStartWith('callback_url: ');
      expect((err as ValidationError).message).not.toStartWith('callback_url: callback_url');
    }
  });

  test('a URL carrying a user name or password is refused, so no credential is stored with the job', () => {
    expect(refusal(formWith('https://user:secret@hooks.example/x')).message).toContain('must not carry a user name or password');
  });
});
