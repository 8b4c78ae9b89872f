import { describe, expect, it } from 'vitest';
import { LastUse } from '../../../src/chat/last-use.js';

describe('last use of a deployment, noted by the chat endpoint', () => {
  it('writes at most once per flush interval per deployment, however many requests', async () => {
    let clock = 1_000_000;
    const writes: string[] = [];
    const lastUse = new LastUse(async (name, at) => void writes.push(`${name}@${at}`), 60_000, () => undefined, () => clock);
    for (let i = 0; i < 100; i++) lastUse.note('a');
    lastUse.note('b');
    await lastUse.settle();
    expect(writes).toEqual([`a@${new Date(1_000_000).toISOString()}`, `b@${new Date(1_000_000).toISOString()}`]);
    clock += 59_999;
    lastUse.note('a');
    clock += 1;
    lastUse.note('a');
    await lastUse.settle();
    expect(writes).toHaveLength(3);
  });

  it('a failed write is reported and retried on the next use', async () => {
    const errors: string[] = [];
    let fail = true;
    let writes = 0;
    const lastUse = new LastUse(
      async () => {
        writes++;
        if (fail) throw new Error('503');
      },
      60_000,
      (m) => errors.push(m),
    );
    lastUse.note('a');
    await lastUse.settle();
    fail = false;
    lastUse.note('a');
    await lastUse.settle();
    expect(writes).toBe(2);
    expect(errors).toEqual(['could not record the last use of a: 503']);
  });
});
