import { describe, expect, it } from 'vitest';

describe('runtime', () => {
  it('runs on Node.js 22 or later (the node devDependency, not the machine default)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
});
