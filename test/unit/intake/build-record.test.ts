import { describe, expect, it } from 'vitest';
import { buildRunRecord, ERRORS_IN_RECORD } from '../../../src/intake/build-record.js';
import { buildRunReport, renderRunReport } from '../../../src/intake/report.js';
import { validateText, validLines } from '../../support/validate-text.js';

const inputs = (runId: string) => ({ training: { blob: 'd.jsonl', snapshot: `${runId}/inputs/training.jsonl`, bytes: 1, sha256: 's', etag: '"e"' } });

describe('buildRunRecord', () => {
  it('a valid report: validating, one closed phase, the inputs and reports as artifacts', async () => {
    const report = buildRunReport(await validateText(validLines(10).join('\n')), undefined);
    const run = buildRunRecord({ runId: 'd-1', dataset: 'D', report, inputs: inputs('d-1'), options: undefined, createdAt: 't0', startedAt: 't1', endedAt: 't2' });
    expect(run).toMatchObject({ runId: 'd-1', dataset: 'D', status: 'validating', createdAt: 't0', updatedAt: 't2', phases: { validating: { startedAt: 't1', endedAt: 't2' } } });
    expect(run.artifacts).toEqual(['inputs/training.jsonl', 'validation-report.json', 'validation-report.md']);
    expect(run.validation).toMatchObject({ valid: true, errorCount: 0 });
  });

  it('invalid options reject the run; errors are capped in the record and name the option', async () => {
    const lines = validLines(10);
    for (let i = 0; i < 30; i++) lines.push('{');
    const problems = [{ field: 'hyperparameters.n_epoch', message: "unknown key 'hyperparameters.n_epoch'" }];
    const report = buildRunReport(await validateText(lines.join('\n')), { path: 'd.json', problems });
    const run = buildRunRecord({ runId: 'd-2', dataset: 'd', report, inputs: inputs('d-2'), options: undefined, createdAt: 't0', startedAt: 't0', endedAt: 't1' });
    expect(run.status).toBe('rejected');
    expect(run.phases.rejected).toEqual({ startedAt: 't1', endedAt: 't1' });
    expect(run.validation?.errors).toHaveLength(ERRORS_IN_RECORD);
    expect(run.validation?.errors[0]).toMatchObject({ code: 'invalid_option', field: 'hyperparameters.n_epoch' });
    expect(run.validation?.errorCount).toBe(31);
    expect(renderRunReport(report)).toContain('| `hyperparameters.n_epoch` |');
  });
});
