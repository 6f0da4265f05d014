import { ValidationError } from '../../shared/errors.ts';

// C0 and C1 controls except tab, line feed and carriage return; NUL included
// (PostgreSQL text cannot hold it). Noncharacters and lone surrogates too.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Counts Unicode code points, so an emoji or a Cyrillic letter is one character. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Checks a description and returns it verbatim. U+FFFD is refused because it
 * is what invalid UTF-8 turns into on decoding; storing it would silently
 * corrupt the user's text.
 */
export function validateDescription(value: unknown, maxLength: number, field = 'description'): string {
  if (value === undefined || value === null) {
    throw new ValidationError(field, 'is required: send it as a text field named "description"', 'missing_field');
  }
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a text field, got a file', 'not_text');
  if (value.includes('\uFFFD')) {
    throw new ValidationError(field, 'is not valid UTF-8 (it contains bytes that decode to U+FFFD)', 'invalid_utf8');
  }
  const bad = FORBIDDEN.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new ValidationError(field, `contains a control or invalid character U+${cp} at index ${bad.index}`, 'invalid_characters');
  }
  if (value.trim() === '') throw new ValidationError(field, 'must not be empty or only white space', 'blank');
  const length = codePointLength(value);
  if (length > maxLength) {
    throw new ValidationError(field, `is ${length} characters long; at most ${maxLength} are allowed`, 'too_long');
  }
  return value;
}
