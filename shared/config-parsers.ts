import { resolve } from 'node:path';
import { parseNetwork } from './net/address-class.ts';
import { parseSchedule } from './webhooks/schedule.ts';
import { parseSecret } from './webhooks/signing.ts';

/**
 * The parsers loadConfig (config.ts) reads each setting with: each turns the
 * raw text into its value or throws a ConfigProblem saying what it expected
 * and what it got, which loadConfig collects under the key's name.
 */
export type Parser<T> = (raw: string) => T;

export class ConfigProblem extends Error {}

export const int = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigProblem(`expected an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigProblem(`expected an integer from ${min} to ${max}, got ${n}`);
  return n;
};

export const num = (min: number, max: number): Parser<number> => (raw) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigProblem(`expected a number, got "${raw}"`);
  if (n < min || n > max) throw new ConfigProblem(`expected a number from ${min} to ${max}, got ${n}`);
  return n;
};

export const bool: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigProblem(`expected true or false, got "${raw}"`);
};

export const url = (...protocols: string[]): Parser<string> => (raw) => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigProblem(`expected a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigProblem(`expected a ${protocols.join(' or ')} URL, got "${raw}"`);
  }
  return raw;
};

export const text: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new ConfigProblem('must not be empty');
  return raw;
};

export const secret = (minLength: number): Parser<string> => (raw) => {
  if (raw.length < minLength) throw new ConfigProblem(`expected at least ${minLength} characters, got ${raw.length}`);
  if (/\s/.test(raw)) throw new ConfigProblem('must not contain whitespace');
  return raw;
};

export const path: Parser<string> = (raw) => resolve(text(raw));

export const webhookSecret: Parser<Buffer> = (raw) => {
  const key = parseSecret(raw);
  if (typeof key === 'string') throw new ConfigProblem(key);
  return key;
};

export const schedule: Parser<number[]> = (raw) => {
  const waits = parseSchedule(raw);
  if (typeof waits === 'string') throw new ConfigProblem(waits);
  return waits;
};

/** The database of a redis:// URL: its path, `/3` → 3; none (or `/`) → 0. */
export const redisDatabase: Parser<number> = (raw) => {
  const db = new URL(raw).pathname.replace(/^\//, '');
  if (db === '') return 0;
  if (!/^\d{1,5}$/.test(db)) throw new ConfigProblem(`expected a database number as the path (redis://host:6379/3), got "/${db}"`);
  return Number(db);
};

export const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new ConfigProblem(`expected one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
};

/** A comma-separated list, each entry parsed by `each`; empty entries are ignored, the bad ones named. */
export const list = <T>(each: Parser<T>): Parser<T[]> => (raw) => {
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  const bad: string[] = [];
  const values = entries.flatMap((e) => {
    try {
      return [each(e)];
    } catch (err) {
      bad.push(err instanceof Error ? err.message : String(err));
      return [];
    }
  });
  if (bad.length) throw new ConfigProblem(bad.join('; '));
  return values;
};

export const cidr: Parser<string> = (raw) => {
  try {
    parseNetwork(raw);
  } catch (err) {
    throw new ConfigProblem((err as Error).message);
  }
  return raw;
};
