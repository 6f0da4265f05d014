import { describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { parseSecret, signWebhook } from './signing.ts';

// The test vector published with the Standard Webhooks reference libraries.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const keyOf = (secret: string) => parseSecret(secret) as Buffer;

describe('webhook signing', () => {
  test('reproduces the specification test vector exactly', () => {
    expect(signWebhook(keyOf(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  test('signs what the reference library verifies, and nothing it would not', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const id = 'msg_0190a1b2-c3d4-8e5f-a6b7-c8d9e0f1a2b3';
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'image.done', timestamp: new Date().toISOString(), data: { id: 'x' } });
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(keyOf(secret), id, ts, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  test('reads the key of a whsec_ secret and explains what is wrong with anything else', () => {
    expect(keyOf(VECTOR.secret).length).toBe(24);
    expect(parseSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toContain('expected "whsec_"');
    expect(parseSecret('whsec_***')).toBe('expected base64 after "whsec_"');
  });
});
