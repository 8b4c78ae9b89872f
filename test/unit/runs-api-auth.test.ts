import { describe, expect, it } from 'vitest';
import { runsReadAuthLevel } from '../../src/functions/runs-api.js';

describe('run API auth level', () => {
  it('needs a function key unless RUNS_API_ANONYMOUS opens it explicitly', () => {
    expect(runsReadAuthLevel({})).toBe('function');
    expect(runsReadAuthLevel({ RUNS_API_ANONYMOUS: 'false' })).toBe('function');
    expect(runsReadAuthLevel({ RUNS_API_ANONYMOUS: 'yes please' })).toBe('function');
    expect(runsReadAuthLevel({ RUNS_API_ANONYMOUS: 'true' })).toBe('anonymous');
    expect(runsReadAuthLevel({ RUNS_API_ANONYMOUS: 'TRUE' })).toBe('anonymous');
  });
});
