import { afterAll, beforeAll } from 'bun:test';
import { MAX_STEPS } from '../../shared/operations/steps.ts';
import { post, rejectionSuite, type Rejection } from '../support/rejections.ts';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const cat = () => new Blob([CAT], { type: 'image/jpeg' });
const ops = (json: string) => post([['image', cat()], ['description', 'x'], ['operations', json]]);
const shortcut = (path: string, fields: Array<[string, string | Blob]>) => post([['image', cat()], ...fields], {}, path);

let system: TestSystem;
beforeAll(async () => {
  system = await TestSystem.start();
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const invalid = (name: string, json: string, message: string): Rejection => ({
  name, send: ops(json), status: 422, code: 'invalid_operation', field: 'operations', says: [message],
});

const PIPELINES: Rejection[] = [
  { name: 'operations that are not JSON', send: ops('[{"op": "flip"'), status: 422, code: 'invalid_json', field: 'operations', says: ['operations: expected JSON text'] },
  invalid('an object instead of an array', '{"op":"flip"}', 'operations: expected an array of steps'),
  invalid('no steps', '[]', `operations: expected 1 to ${MAX_STEPS} steps, got 0`),
  invalid('too many steps', JSON.stringify(Array(MAX_STEPS + 1).fill({ op: 'flip' })), `operations: expected 1 to ${MAX_STEPS} steps, got ${MAX_STEPS + 1}`),
  invalid('an unknown op', '[{"op":"sepia"}]', 'operations[0].op: expected one of caption, resize, crop, grayscale, rotate, flip, flop, blur, sharpen, invert, watermark, format, got "sepia"'),
  invalid('a step without op', '[{"width":10}]', 'operations[0].op: is required'),
  invalid('a wrong type', '[{"op":"flip"},{"op":"flop"},{"op":"resize","width":"abc"}]', 'operations[2].width: expected an integer from 1 to 16384, got "abc"'),
  invalid('a missing parameter', '[{"op":"rotate"}]', 'operations[0].angle: is required: expected a number from -360 to 360'),
  invalid('an unknown parameter', '[{"op":"blur","radius":3}]', 'operations[0].radius: unknown parameter of blur; it takes sigma'),
  invalid('a value outside its list', '[{"op":"format","type":"gif"}]', 'operations[0].type: expected one of jpeg, png, webp, avif, got "gif"'),
  invalid('format before another step', '[{"op":"format","type":"png"},{"op":"flip"}]', 'operations[0].op: format must be the last step'),
  invalid('a crop with half a rectangle', '[{"op":"crop","left":0,"top":0}]', 'operations[0].width: a rectangle needs left, top, width and height'),
  { name: 'operations sent twice', send: post([['image', cat()], ['description', 'x'], ['operations', '[{"op":"flip"}]'], ['operations', '[{"op":"flop"}]']]), status: 422, code: 'too_many_values', field: 'operations' },
  {
    name: 'a watermark naming a part that was not sent',
    send: ops('[{"op":"watermark","image":"logo"}]'), status: 422, code: 'missing_field', field: 'logo', says: ['"logo"'],
  },
  {
    name: 'a watermark part that is not an image',
    send: post([['image', cat()], ['description', 'x'], ['operations', '[{"op":"watermark","image":"logo"}]'], ['logo', new Blob(['hello'], { type: 'text/plain' }), 'logo.txt']]),
    status: 415, code: 'unsupported_media_type', says: ['logo'],
  },
];

const SHORTCUTS: Rejection[] = [
  { name: 'resize with a width that is not a number', send: shortcut('/api/resize', [['width', 'abc']]), status: 422, code: 'invalid_operation', field: 'width', says: ['width: expected an integer from 1 to 16384, got "abc"'] },
  { name: 'resize with neither width nor height', send: shortcut('/api/resize', []), status: 422, code: 'invalid_operation', field: 'width', says: ['width: give width, height or both'] },
  { name: 'crop with an unknown gravity', send: shortcut('/api/crop', [['aspect', '1:1'], ['gravity', 'up']]), status: 422, code: 'invalid_operation', field: 'gravity', says: ['gravity: expected one of centre, north'] },
  { name: 'watermark with neither text nor mark', send: shortcut('/api/watermark', [['opacity', '0.5']]), status: 422, code: 'invalid_operation', field: 'text' },
  { name: 'watermark with an opacity over 1', send: shortcut('/api/watermark', [['text', 'x'], ['opacity', '2']]), status: 422, code: 'invalid_operation', field: 'opacity', says: ['opacity: expected a number from 0 to 1, got 2'] },
  { name: 'grayscale without an image', send: post([['description', 'x']], {}, '/api/grayscale'), status: 422, code: 'missing_field', field: 'image' },
];

rejectionSuite('invalid pipelines are refused before anything is queued', PIPELINES, () => system);
rejectionSuite('invalid shortcut parameters are refused before anything is queued', SHORTCUTS, () => system);
