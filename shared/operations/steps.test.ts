import { describe, expect, test } from 'bun:test';
import { MAX_STEPS, parseSteps, referencedFiles, stepsJson, StepsError, validateParams } from './steps.ts';
import { OPERATIONS } from './index.ts';
import { resize } from './resize.ts';

function fault(json: string): StepsError {
  try {
    parseSteps(json);
  } catch (err) {
    expect(err).toBeInstanceOf(StepsError);
    return err as StepsError;
  }
  throw new Error(`expected ${json} to be refused`);
}

describe('a pipeline is refused with a message naming the step, the parameter, what was expected and what came', () => {
  const cases: Array<[string, string, string]> = [
    ['not JSON', '[{"op":', 'operations: expected JSON text, an array of steps: '],
    ['not an array', '{"op":"grayscale"}', 'operations: expected an array of steps like [{"op":"resize","width":320}], got {"op":"grayscale"}'],
    ['empty', '[]', `operations: expected 1 to ${MAX_STEPS} steps, got 0`],
    ['too many steps', JSON.stringify(Array(MAX_STEPS + 1).fill({ op: 'flip' })), `operations: expected 1 to ${MAX_STEPS} steps, got ${MAX_STEPS + 1}`],
    ['a step that is not an object', '[{"op":"flip"},"grayscale"]', 'operations[1]: expected an object like {"op":"grayscale"}, got "grayscale"'],
    ['no op', '[{"width":3}]', 'operations[0].op: is required: expected one of caption, resize, crop,'],
    ['unknown op', '[{"op":"flip"},{"op":"sepia"}]', 'operations[1].op: expected one of caption, resize, crop, grayscale, rotate, flip, flop, blur, sharpen, invert, watermark, format, got "sepia"'],
    ['a wrong type', '[{"op":"flip"},{"op":"flop"},{"op":"resize","width":"abc"}]', 'operations[2].width: expected an integer from 1 to 16384, got "abc"'],
    ['a number out of range', '[{"op":"blur","sigma":0}]', 'operations[0].sigma: expected a number from 0.3 to 100, got 0'],
    ['a value not in the list', '[{"op":"resize","width":5,"fit":"stretch"}]', 'operations[0].fit: expected one of cover, contain, fill, inside, outside, got "stretch"'],
    ['a bad colour', '[{"op":"rotate","angle":5,"background":"red"}]', 'operations[0].background: expected a colour #rrggbb, got "red"'],
    ['a missing parameter', '[{"op":"rotate"}]', 'operations[0].angle: is required: expected a number from -360 to 360'],
    ['an unknown parameter', '[{"op":"grayscale","amount":2}]', 'operations[0].amount: unknown parameter of grayscale; it takes none'],
    ['a rule across parameters', '[{"op":"resize"}]', 'operations[0].width: give width, height or both'],
    ['format not last', '[{"op":"format","type":"png"},{"op":"flip"}]', 'operations[0].op: format must be the last step'],
    ['an unknown format', '[{"op":"format","type":"bmp"}]', 'operations[0].type: expected one of jpeg, png, webp, avif, got "bmp"'],
  ];
  for (const [name, json, message] of cases) {
    test(name, () => {
      const err = fault(json);
      expect(err.message.startsWith(message)).toBe(true);
      expect(err.code).toBe(name === 'not JSON' ? 'invalid_json' : 'invalid_operation');
    });
  }
});

describe('a valid pipeline', () => {
  test('keeps the order and the parameters, and reads back as the same JSON', () => {
    const json = '[{"op":"rotate","angle":90},{"op":"crop","aspect":"1:1"},{"op":"resize","width":100},{"op":"grayscale"},{"op":"format","type":"webp","quality":70}]';
    const steps = parseSteps(json);
    expect(steps.map((s) => s.op)).toEqual(['rotate', 'crop', 'resize', 'grayscale', 'format']);
    expect(steps[2]!.params).toEqual({ width: 100 });
    expect(JSON.parse(stepsJson(steps))).toEqual(JSON.parse(json));
  });

  test('names the file parts its watermark steps read, each once', () => {
    const steps = parseSteps('[{"op":"watermark","image":"logo"},{"op":"watermark","text":"x"},{"op":"watermark","image":"logo","tile":true}]');
    expect(referencedFiles(steps)).toEqual(['logo']);
  });
});

describe('the registry', () => {
  test('every operation\'s example passes its own schema and rules', () => {
    for (const operation of OPERATIONS) expect(() => validateParams(operation, { ...operation.example }, operation.name)).not.toThrow();
  });

  test('names are unique', () => {
    expect(new Set(OPERATIONS.map((o) => o.name)).size).toBe(OPERATIONS.length);
  });
});

describe('parameters alone (shortcut routes)', () => {
  test('a fault is named by the parameter only', () => {
    expect(() => validateParams(resize, { width: 0 }, '')).toThrow('width: expected an integer from 1 to 16384, got 0');
  });
});
