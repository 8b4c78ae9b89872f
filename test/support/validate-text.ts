import { Readable } from 'node:stream';
import { validateDataset, type ValidateOptions, type ValidationReport } from '../../src/validation/index.js';

/** Validates in-memory content as a training file (and optional validation file). */
export function validateText(training: string | Buffer, options: ValidateOptions & { validation?: string | Buffer } = {}): Promise<ValidationReport> {
  const { validation, ...rest } = options;
  return validateDataset(
    { source: Readable.from([Buffer.from(training)]), path: 'train.jsonl' },
    validation === undefined ? undefined : { source: Readable.from([Buffer.from(validation)]), path: 'valid.jsonl' },
    rest,
  );
}

/** A well-formed chat example; `overrides` replace top-level keys. */
export function example(user = 'What is the capital of France?', assistant = 'Paris.', overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
    ...overrides,
  });
}

/** `n` distinct valid examples, one per line, so files pass the 10-example minimum. */
export function validLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => example(`Question number ${i}?`, `Answer number ${i}.`));
}
