import { describe, expect, test } from 'bun:test';
import { sqlFault } from './sqlstate.ts';
import { isUnavailable } from './unavailable.ts';

const pgError = (code: string) => Object.assign(new Error(`postgres said ${code}`), { code });

describe('whose fault a PostgreSQL error is, by SQLSTATE class', () => {
  test.each([
    ['25006', 'read-only database after a failover'],
    ['53100', 'database disk full'],
    ['57014', 'statement cancelled'],
    ['3D000', 'database does not exist'],
    ['28P01', 'password rejected'],
    ['55P03', 'lock timeout'],
    ['42501', 'insufficient privilege (INSERT revoked)'],
    ['08006', 'connection failure'],
    ['57P01', 'administrator shutdown'],
    ['53300', 'too many connections'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['42P01', 'table missing (migrations not run)'],
    ['XX000', 'internal error'],
  ])('%s (%s) is the system\'s: an outage, retried in place', (code) => {
    expect(sqlFault(pgError(code))).toBe('system');
    expect(isUnavailable('postgres', pgError(code))).toBe(true);
  });

  test.each([
    ['22P02', 'invalid text representation'],
    ['22001', 'value too long'],
    ['22021', 'bad encoding'],
    ['23502', 'not-null violation'],
    ['23503', 'foreign key violation'],
    ['23505', 'unique violation of another constraint'],
    ['23514', 'check violation'],
  ])('%s (%s) is the message\'s: it may dead-letter it', (code) => {
    expect(sqlFault(pgError(code))).toBe('message');
    expect(isUnavailable('postgres', pgError(code))).toBe(false);
  });

  test('errors without a SQLSTATE are neither (postgres.js\'s own codes, plain errors)', () => {
    expect(sqlFault(pgError('UNDEFINED_VALUE'))).toBeUndefined();
    expect(sqlFault(new Error('boom'))).toBeUndefined();
    expect(sqlFault(null)).toBeUndefined();
  });
});
