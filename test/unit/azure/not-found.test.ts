import { RestError } from '@azure/storage-blob';
import { NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { isNotFound } from '../../../src/azure/service-errors.js';

describe('isNotFound: one test for every client', () => {
  it('storage and ARM RestError, the openai client, and the durable client (plain Error)', () => {
    expect(isNotFound(new RestError('The specified blob does not exist.', { statusCode: 404 }))).toBe(true);
    expect(isNotFound(new NotFoundError(404, { message: 'No such file' }, undefined, new Headers()))).toBe(true);
    // durable-functions 3.5 DurableClient.getStatus on a 404 (its exact text).
    expect(isNotFound(new Error('DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: x.'))).toBe(true);
  });

  it('is not fooled by other statuses or by "404" elsewhere in a message', () => {
    expect(isNotFound(new RestError('Conflict', { statusCode: 409 }))).toBe(false);
    expect(isNotFound(new Error('upstream said HTTP 404 somewhere'))).toBe(false);
    expect(isNotFound(new Error('deployment model-404 failed'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
    expect(isNotFound('404')).toBe(false);
  });
});
