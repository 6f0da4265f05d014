import { describe, expect, test } from 'bun:test';
import {
  BadRequestError,
  DependencyError,
  EnqueueOutcomeUnknownError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  ImageDecodeError,
  InvalidMessageError,
  isPermanent,
  KadrError,
  NotFoundError,
  NotReadyError,
  PayloadTooLargeError,
  serializeError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.ts';

describe('error classes', () => {
  test.each([
    { name: 'KadrError', make: () => new KadrError('x'), code: 'internal', status: 500 },
    { name: 'BadRequestError', make: () => new BadRequestError('x'), code: 'bad_request', status: 400 },
    { name: 'ValidationError', make: () => new ValidationError('image', 'x'), code: 'invalid_field', status: 422 },
    { name: 'PayloadTooLargeError', make: () => new PayloadTooLargeError('x'), code: 'payload_too_large', status: 413 },
    { name: 'UnsupportedMediaTypeError', make: () => new UnsupportedMediaTypeError('x'), code: 'unsupported_media_type', status: 415 },
    { name: 'NotFoundError', make: () => new NotFoundError('x'), code: 'not_found', status: 404 },
    { name: 'NotReadyError', make: () => new NotReadyError('x', 'queued'), code: 'not_ready', status: 409 },
    { name: 'ServiceUnavailableError', make: () => new ServiceUnavailableError('x'), code: 'service_unavailable', status: 503 },
    { name: 'EnqueueOutcomeUnknownError', make: () => new EnqueueOutcomeUnknownError('x', null), code: 'outcome_unknown', status: 503 },
    { name: 'ImageDecodeError', make: () => new ImageDecodeError('x'), code: 'image_undecodable', status: 500 },
    { name: 'InvalidMessageError', make: () => new InvalidMessageError('x'), code: 'invalid_message', status: 500 },
    { name: 'DependencyError', make: () => new DependencyError('x'), code: 'dependency_unavailable', status: 503 },
    { name: 'IdempotencyKeyReusedError', make: () => new IdempotencyKeyReusedError('x'), code: 'idempotency_key_reused', status: 422 },
    { name: 'IdempotencyKeyInUseError', make: () => new IdempotencyKeyInUseError('x'), code: 'idempotency_key_in_use', status: 409 },
  ])('$name carries default code $code and status $status', ({ name, make, code, status }) => {
    const err = make();
    expect(err).toBeInstanceOf(KadrError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
  });

  test('lets callers choose a more specific code where the class allows it', () => {
    expect(new BadRequestError('x', 'invalid_query').code).toBe('invalid_query');
    expect(new ValidationError('f', 'x', 'too_long').code).toBe('too_long');
    expect(new UnsupportedMediaTypeError('x', 'unsupported_content_type').code).toBe('unsupported_content_type');
    expect(new NotReadyError('x', 'failed', 'job_failed').code).toBe('job_failed');
    expect(new ServiceUnavailableError('x', { code: 'queue_full' }).code).toBe('queue_full');
    expect(new ImageDecodeError('x', { code: 'too_many_pixels' }).code).toBe('too_many_pixels');
    expect(new DependencyError('x', { code: 'database_unavailable' }).code).toBe('database_unavailable');
  });

  test('a ValidationError remembers its field and names it in the message', () => {
    const err = new ValidationError('description', 'must not be empty', 'blank');
    expect(err.field).toBe('description');
    expect(err.message.startsWith('description')).toBe(true);
  });

  test('a NotReadyError carries the job status', () => {
    expect(new NotReadyError('x', 'processing').jobStatus).toBe('processing');
  });

  test('a ServiceUnavailableError asks clients to retry after one second unless told otherwise', () => {
    expect(new ServiceUnavailableError('x').retryAfterSeconds).toBe(1);
    expect(new ServiceUnavailableError('x', { retryAfterSeconds: 5 }).retryAfterSeconds).toBe(5);
  });

  test('only errors a client should retry ask for it, by Retry-After seconds', () => {
    expect(new IdempotencyKeyInUseError('x').retryAfterSeconds).toBe(1);
    expect(new IdempotencyKeyReusedError('x').retryAfterSeconds).toBeUndefined();
    expect(new ValidationError('f', 'x').retryAfterSeconds).toBeUndefined();
  });

  test('keeps the cause it was given', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new DependencyError('db down', { cause }).cause).toBe(cause);
    expect(new ImageDecodeError('bad', { cause }).cause).toBe(cause);
    expect(new ServiceUnavailableError('down', { cause }).cause).toBe(cause);
    expect(new KadrError('x', { cause }).cause).toBe(cause);
  });
});

describe('isPermanent', () => {
  test('is true for errors that retrying cannot fix', () => {
    expect(isPermanent(new ImageDecodeError('corrupt'))).toBe(true);
    expect(isPermanent(new InvalidMessageError('bad schema'))).toBe(true);
  });

  test('is false for every other kadr error', () => {
    for (const err of [
      new KadrError('x'),
      new BadRequestError('x'),
      new ValidationError('f', 'x'),
      new ServiceUnavailableError('x'),
      new DependencyError('x'),
      new NotFoundError('x'),
    ]) {
      expect(isPermanent(err)).toBe(false);
    }
  });

  test('is false for foreign errors and non-errors, so they are retried', () => {
    expect(isPermanent(new Error('boom'))).toBe(false);
    expect(isPermanent(new TypeError('boom'))).toBe(false);
    expect(isPermanent({ permanent: true })).toBe(false);
    expect(isPermanent('permanent')).toBe(false);
    expect(isPermanent(null)).toBe(false);
    expect(isPermanent(undefined)).toBe(false);
  });
});

describe('serializeError', () => {
  test('keeps the class name, code and message of a kadr error', () => {
    expect(serializeError(new ImageDecodeError('not a JPEG', { code: 'image_undecodable' }))).toEqual({
      name: 'ImageDecodeError',
      code: 'image_undecodable',
      message: 'not a JPEG',
    });
  });

  test('gives a foreign error the internal code', () => {
    expect(serializeError(new TypeError('x is undefined'))).toEqual({ name: 'TypeError', code: 'internal', message: 'x is undefined' });
  });

  test('turns a thrown non-error into a string message', () => {
    expect(serializeError('plain string')).toEqual({ name: 'Error', code: 'internal', message: 'plain string' });
    expect(serializeError(42)).toEqual({ name: 'Error', code: 'internal', message: '42' });
    expect(serializeError(undefined)).toEqual({ name: 'Error', code: 'internal', message: 'undefined' });
  });

  test('produces exactly name, code and message, so it survives JSON', () => {
    const cause = new Error('secret internals');
    const out = serializeError(new DependencyError('db down', { cause }));
    expect(Object.keys(out).sort()).toEqual(['code', 'message', 'name']);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});
