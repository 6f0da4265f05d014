import { describe, expect, test } from 'bun:test';
import { ValidationError } from '../../shared/errors.ts';
import { codePointLength, validateDescription } from './description.ts';

const MAX = 200;

/** The ValidationError validateDescription throws for `value`, checked to concern the description field. */
function rejection(value: unknown, max = MAX): ValidationError {
  try {
    validateDescription(value, max);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.status).toBe(422);
    expect(v.field).toBe('description');
    return v;
  }
  throw new Error('expected validateDescription to throw');
}

describe('codePointLength', () => {
  test('counts an astral emoji as one character and a combining mark as its own', () => {
    expect(codePointLength('😀')).toBe(1);
    expect('😀'.length).toBe(2);
    expect(codePointLength('e\u0301')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });
});

describe('validateDescription length', () => {
  test('accepts exactly 200 Cyrillic letters', () => {
    const text = 'Ж'.repeat(200);
    expect(validateDescription(text, MAX)).toBe(text);
  });

  test('accepts 200 emoji, counted in code points rather than UTF-16 units', () => {
    const text = '🐈'.repeat(200);
    expect(text.length).toBe(400);
    expect(validateDescription(text, MAX)).toBe(text);
  });

  test('refuses a description of 201 characters with too_long', () => {
    expect(rejection('a'.repeat(201)).code).toBe('too_long');
    expect(rejection('Ж'.repeat(201)).code).toBe('too_long');
    expect(rejection('🐈'.repeat(201)).code).toBe('too_long');
  });

  test('honours the limit it is given', () => {
    expect(validateDescription('abc', 3)).toBe('abc');
    expect(rejection('abcd', 3).code).toBe('too_long');
  });

  test('accepts a single character', () => {
    expect(validateDescription('x', MAX)).toBe('x');
  });
});

describe('validateDescription presence', () => {
  test('refuses an absent description with missing_field', () => {
    expect(rejection(undefined).code).toBe('missing_field');
    expect(rejection(null).code).toBe('missing_field');
  });

  test('refuses an empty description with blank', () => {
    expect(rejection('').code).toBe('blank');
  });

  test('refuses a description of only spaces with blank', () => {
    expect(rejection('     ').code).toBe('blank');
  });

  test('refuses a description of only tabs, newlines and spaces with blank', () => {
    expect(rejection(' \t\r\n ').code).toBe('blank');
  });

  test('refuses a file sent as the description with not_text', () => {
    expect(rejection(new File(['hello'], 'd.txt')).code).toBe('not_text');
    expect(rejection(42).code).toBe('not_text');
  });
});

describe('validateDescription characters', () => {
  test('refuses NUL with invalid_characters', () => {
    expect(rejection('a\u0000b').code).toBe('invalid_characters');
  });

  test.each([
    ['U+0001', '\u0001'],
    ['U+0008 backspace', '\u0008'],
    ['U+000B vertical tab', '\u000B'],
    ['U+000C form feed', '\u000C'],
    ['U+001B escape', '\u001B'],
    ['U+007F delete', '\u007F'],
    ['U+0085 next line', '\u0085'],
    ['U+009F', '\u009F'],
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', '\uFFFF'],
  ])('refuses the control or non-character %s with invalid_characters', (_, ch) => {
    expect(rejection(`photo ${ch} caption`).code).toBe('invalid_characters');
  });

  test('refuses U+FFFD, the trace of invalid UTF-8, with invalid_utf8', () => {
    expect(rejection('caf\uFFFD').code).toBe('invalid_utf8');
    const decoded = new TextDecoder().decode(new Uint8Array([0x63, 0x61, 0x66, 0xc3]));
    expect(rejection(decoded).code).toBe('invalid_utf8');
  });

  test('refuses a lone high surrogate', () => {
    expect(rejection('a\uD83Db').code).toBe('invalid_characters');
    expect(rejection('end\uD83D').code).toBe('invalid_characters');
  });

  test('refuses a lone low surrogate', () => {
    expect(rejection('\uDE00start').code).toBe('invalid_characters');
    expect(rejection('a\uDE00b').code).toBe('invalid_characters');
  });

  test('refuses surrogates in the wrong order', () => {
    expect(rejection('\uDE00\uD83D').code).toBe('invalid_characters');
  });

  test('accepts a properly paired surrogate', () => {
    expect(validateDescription('\uD83D\uDE00', MAX)).toBe('😀');
  });

  test('accepts tab, newline and carriage return and keeps them', () => {
    const text = 'line one\n\tline two\r\nline three';
    expect(validateDescription(text, MAX)).toBe(text);
  });

  test('keeps leading and trailing white space as sent', () => {
    expect(validateDescription('  padded  ', MAX)).toBe('  padded  ');
  });
});

describe('validateDescription returns text verbatim', () => {
  test.each([
    ['combining characters, not normalised', 'Cafe\u0301 and n\u0303'],
    ['Zalgo-style stacked marks', 'Z\u0351\u036B\u0343a\u0310l\u0352g\u0350o'],
    ['right-to-left Hebrew', 'שלום עולם'],
    ['right-to-left Arabic with a direction mark', 'مرحبا\u200F بالعالم'],
    ['mixed scripts and a ZWJ emoji sequence', 'Кот 🐈‍⬛ and 猫'],
    ['an SQL injection attempt', "'); DROP TABLE images; --"],
    ['HTML and script', '<script>alert("x")</script><b>&amp;</b>'],
    ['a format string and backslashes', '%s %d {0} \\n \\u0000'],
    ['non-breaking and ideographic spaces inside text', 'a\u00A0b\u3000c'],
  ])('returns %s unchanged', (_, text) => {
    expect(validateDescription(text, MAX)).toBe(text);
  });
});
