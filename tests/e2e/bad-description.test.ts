import { afterAll, beforeAll, test } from 'bun:test';
import { multipartBytes } from '../support/multipart.ts';
import { expectUntouched, post, postRaw, rejectionSuite, type Rejection } from '../support/rejections.ts';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
let system: TestSystem;

const cat = () => new Blob([CAT], { type: 'image/jpeg' });
const described = (description: string) => post([['image', cat()], ['description', description]]);

/** The description part carries `raw` bytes as they are, whatever UTF-8 says of them. */
function rawDescription(...raw: number[]) {
  const { body, contentType } = multipartBytes([
    { name: 'image', filename: 'cat.jpg', type: 'image/jpeg', data: CAT },
    { name: 'description', data: new Uint8Array([0x61, ...raw, 0x62]) },
  ]);
  return postRaw(contentType, body);
}

const field = 'description';
const DESCRIPTIONS: Rejection[] = [
  { name: 'no description', send: post([['image', cat()]]), status: 422, code: 'missing_field', field },
  { name: 'an empty description', send: described(''), status: 422, code: 'blank', field },
  { name: 'a description of only spaces', send: described('     '), status: 422, code: 'blank', field },
  { name: 'a description of only tabs and line breaks', send: described('\t\n \r\n\t'), status: 422, code: 'blank', field },
  { name: 'a description of no-break spaces only', send: described('\u00a0\u2003\u3000'), status: 422, code: 'blank', field },
  { name: '201 Cyrillic letters', send: described('я'.repeat(201)), status: 422, code: 'too_long', field, says: ['201 characters', 'at most 200'] },
  { name: '201 ASCII letters', send: described('a'.repeat(201)), status: 422, code: 'too_long', field, says: ['201 characters'] },
  { name: '201 emoji', send: described('🙂'.repeat(201)), status: 422, code: 'too_long', field, says: ['201 characters'] },
  { name: '101 decomposed é (202 code points)', send: described('e\u0301'.repeat(101)), status: 422, code: 'too_long', field, says: ['202 characters'] },
  { name: 'a NUL character', send: described('a\u0000b'), status: 422, code: 'invalid_characters', field, says: ['U+0000'] },
  { name: 'an escape character', send: described('a\u001b[31mred'), status: 422, code: 'invalid_characters', field, says: ['U+001B'] },
  { name: 'a bell character', send: described('ding\u0007'), status: 422, code: 'invalid_characters', field, says: ['U+0007'] },
  { name: 'DEL', send: described('a\u007fb'), status: 422, code: 'invalid_characters', field, says: ['U+007F'] },
  { name: 'a C1 control (NEL)', send: described('a\u0085b'), status: 422, code: 'invalid_characters', field, says: ['U+0085'] },
  { name: 'the noncharacter U+FFFF', send: described('a\uffffb'), status: 422, code: 'invalid_characters', field, says: ['U+FFFF'] },
  { name: 'a lone surrogate (sent as U+FFFD by the encoder)', send: described('a\ud800b'), status: 422, code: 'invalid_utf8', field },
  { name: 'invalid UTF-8 bytes C3 28 FF', send: rawDescription(0xc3, 0x28, 0xff), status: 422, code: 'invalid_utf8', field },
  { name: 'an overlong UTF-8 encoding of "/" (C0 AF)', send: rawDescription(0xc0, 0xaf), status: 422, code: 'invalid_utf8', field },
  { name: 'a UTF-8-encoded surrogate (ED A0 80)', send: rawDescription(0xed, 0xa0, 0x80), status: 422, code: 'invalid_utf8', field },
  { name: 'a UTF-8 sequence cut short (E2 82)', send: rawDescription(0xe2, 0x82), status: 422, code: 'invalid_utf8', field },
  { name: 'Latin-1 bytes (café as E9)', send: rawDescription(0x63, 0x61, 0x66, 0xe9), status: 422, code: 'invalid_utf8', field },
  { name: 'the description sent as a file', send: post([['image', cat()], ['description', new Blob(['x']), 'd.txt']]), status: 422, code: 'not_text', field },
  { name: 'two descriptions', send: post([['image', cat()], ['description', 'a'], ['description', 'b']]), status: 422, code: 'too_many_values', field },
];

beforeAll(async () => {
  system = await TestSystem.start();
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

rejectionSuite('bad descriptions get 422 naming the field and what arrived, and leave nothing behind', DESCRIPTIONS, () => system);

test('after all the bad descriptions the services are ready and nothing at all was written', () => expectUntouched(system));
