/**
 * The graders validate endpoint over HTTP with the official openai client on the v1 surface, as
 * Azure documents it (learn.microsoft.com/azure/foundry/reference/rest/graders-validate-grader).
 */
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import { failure, startTestEmulator } from './helpers.js';

describe('emulator: POST /openai/v1/fine_tuning/alpha/graders/validate', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = new OpenAI({ baseURL: `${emulator.url}/openai/v1`, apiKey: emulator.apiKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const stringCheck = { type: 'string_check' as const, name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.answer }}', operation: 'eq' as const };

  it('echoes a valid grader, multigraders included', async () => {
    expect(await client.fineTuning.alpha.graders.validate({ grader: stringCheck })).toEqual({ grader: stringCheck });
    const multi = {
      type: 'multi' as const,
      name: 'both',
      graders: { a: stringCheck, b: { type: 'text_similarity' as const, name: 'sim', input: '{{sample.output_text}}', reference: '{{item.answer}}', evaluation_metric: 'fuzzy_match' as const } },
      calculate_output: '(a + b) / 2',
    };
    expect((await client.fineTuning.alpha.graders.validate({ grader: multi as never })).grader).toEqual(multi);
  });

  it.each([
    [{ ...stringCheck, operation: 'equals' }, 'grader.operation'],
    [{ ...stringCheck, type: 'regex' }, 'grader.type'],
    [{ type: 'python', name: 'p' }, 'grader.source'],
    [{ type: 'multi', name: 'm', calculate_output: 'a', graders: { a: { ...stringCheck, reference: undefined } } }, 'grader.graders.a.reference'],
  ])('refuses %j with a 400 naming %s', async (grader, param) => {
    const error = await failure(client.fineTuning.alpha.graders.validate({ grader: grader as never }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error).toMatchObject({ code: 'invalidPayload', param });
  });

  it('is served on the v1 surface only, as documented', async () => {
    const response = await fetch(`${emulator.url}/openai/fine_tuning/alpha/graders/validate?api-version=2025-04-01-preview`, {
      method: 'POST',
      headers: { 'api-key': emulator.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ grader: stringCheck }),
    });
    expect(response.status).toBe(404);
  });
});
