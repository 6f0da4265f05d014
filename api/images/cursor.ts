import { BadRequestError } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import { ISO_INSTANT_PATTERN } from '../../shared/messages.ts';

/** Position after the last row of a page: rows sort by (received_at, id) descending. */
export interface Cursor {
  receivedAt: string;
  id: string;
}

// Date.parse alone takes "1" or "12/31/2024", which PostgreSQL then refuses with a 500.
const INSTANT = new RegExp(ISO_INSTANT_PATTERN);

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.receivedAt}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  const [receivedAt, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (rest.length || !isUuid(id) || !receivedAt || !INSTANT.test(receivedAt) || Number.isNaN(Date.parse(receivedAt))) {
    throw new BadRequestError('cursor: not a cursor this API issued; use the Link header of the previous page', 'invalid_query');
  }
  return { receivedAt, id };
}

export const LIMIT_DEFAULT = 50;
export const LIMIT_MAX = 500;

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return LIMIT_DEFAULT;
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= LIMIT_MAX)) {
    throw new BadRequestError(`limit: expected an integer from 1 to ${LIMIT_MAX}, got "${raw}"`, 'invalid_query');
  }
  return n;
}
