import { describe, expect, it } from 'vitest';
import { AppClient } from '../../src/cli/app-client.js';
import { exitFor, outcomeLine } from '../../src/cli/run-commands.js';
import { modelList } from '../../src/functions/models-api.js';
import { runEvent } from '../../src/notify/events.js';
import { statusLine } from '../../src/orchestrators/activities/record-run.js';
import { pipelineInput } from '../../src/orchestrators/pipeline-input.js';
import { lookupArtifact, servedArtifacts } from '../../src/runs/artifacts.js';
import { datasetNameProblem } from '../../src/runs/dataset-name.js';
import { canRetry, nextAttempt, trainedJob } from '../../src/runs/retry.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { applyUpdate } from '../../src/runs/run-store.js';
import { metricsFromEvents, parseMetricsCsv } from '../../src/runs/training-metrics.js';
import { isLocalConnectionString, readyLines } from '../../dev/first-run.js';
import { parseHostLogLevel } from '../../dev/host/logger.js';

function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: 'sarcasm-0123456789',
    dataset: 'sarcasm',
    status: 'failed',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:05:00.000Z',
    phases: { validating: { startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z' }, uploading: { startedAt: '2026-01-01T00:00:01.000Z' } },
    inputs: { training: { blob: 'sarcasm.jsonl', snapshot: 'sarcasm-0123456789/inputs/training.jsonl', bytes: 10, sha256: 'ab' } },
    options: { baseModel: 'gpt-4o-mini-2024-07-18', deployment: { name: 'sarcasm', sku: 'Standard', capacity: 1 } },
    artifacts: ['inputs/training.jsonl', 'validation-report.json', 'validation-report.md', 'results.csv', 'loss.svg'],
    job: { id: 'ftjob-1', status: 'failed' },
    error: { code: 'internalFailure', message: 'boom' },
    ...overrides,
  };
}

describe('artifacts served over HTTP', () => {
  it('serves listed top-level artifacts with their content type, never snapshots or odd names', () => {
    const artifacts = run().artifacts;
    expect(lookupArtifact('loss.svg', artifacts)).toEqual({ ok: true, name: 'loss.svg', contentType: 'image/svg+xml' });
    expect(lookupArtifact('validation-report.md', artifacts)).toMatchObject({ ok: true, contentType: 'text/markdown; charset=utf-8' });
    expect(lookupArtifact('evaluation.json', artifacts)).toMatchObject({ ok: false, status: 404 });
    for (const bad of ['inputs/training.jsonl', '../run.json', '.hidden.json', 'run', 'a\\b.json']) expect(lookupArtifact(bad, artifacts)).toMatchObject({ ok: false, status: 400 });
    expect(servedArtifacts([...artifacts, 'notes.exe'])).toEqual(['validation-report.json', 'validation-report.md', 'results.csv', 'loss.svg']);
  });
});

describe('retry', () => {
  it('only failed or cancelled runs, with a reason otherwise', () => {
    expect(canRetry(run())).toEqual({ ok: true });
    expect(canRetry(run({ status: 'cancelled' }))).toEqual({ ok: true });
    expect(canRetry(run({ status: 'training' }))).toMatchObject({ ok: false, message: expect.stringContaining('is training') });
    expect(canRetry(run({ status: 'rejected' }))).toMatchObject({ ok: false, message: expect.stringContaining('fix the data') });
  });

  it('starts the next attempt of the same run id, keeping the last one in previousAttempts and dropping its results', () => {
    const next = nextAttempt(run(), '2026-01-02T00:00:00.000Z');
    expect(next).toMatchObject({ runId: 'sarcasm-0123456789', status: 'validating', attempt: 2, updatedAt: '2026-01-02T00:00:00.000Z' });
    expect(next.previousAttempts).toEqual([
      { attempt: 1, status: 'failed', startedAt: '2026-01-01T00:00:01.000Z', endedAt: '2026-01-01T00:05:00.000Z', jobId: 'ftjob-1', error: { code: 'internalFailure', message: 'boom' } },
    ]);
    expect(next.job).toBeUndefined();
    expect(next.error).toBeUndefined();
    expect(Object.keys(next.phases)).toEqual(['validating']);
    expect(next.artifacts).toEqual(['inputs/training.jsonl', 'validation-report.json', 'validation-report.md']);
    expect(nextAttempt({ ...next, status: 'cancelled' }, '2026-01-03T00:00:00.000Z').attempt).toBe(3);
    expect(pipelineInput(next, { polling: { minSeconds: 1, maxSeconds: 2 }, deleteUploadedFiles: true, publicBaseUrl: 'http://x' })).toMatchObject({ attempt: 2, runId: next.runId });
  });

  it('a run that failed after its job succeeded is retried from that job (no training paid twice); a failed job is trained again', () => {
    const deployFailed = run({ job: { id: 'ftjob-paid', status: 'succeeded', fineTunedModel: 'gpt-4o-mini.ft-paid' }, error: { code: 'service_unreachable', message: 'ARM down' } });
    const next = nextAttempt(deployFailed, '2026-01-02T00:00:00.000Z');
    expect(next.previousAttempts?.[0]).toMatchObject({ jobId: 'ftjob-paid', fineTunedModel: 'gpt-4o-mini.ft-paid' });
    expect(trainedJob(next)).toEqual({ jobId: 'ftjob-paid', fineTunedModel: 'gpt-4o-mini.ft-paid', attempt: 1 });
    const config = { polling: { minSeconds: 1, maxSeconds: 2 }, deleteUploadedFiles: true, publicBaseUrl: 'http://x' };
    expect(pipelineInput(next, config).trainedJob).toEqual({ jobId: 'ftjob-paid', fineTunedModel: 'gpt-4o-mini.ft-paid', fromAttempt: 1 });
    // Attempt 2 reused it and failed before deploying (an outage): attempt 3 still starts from it, with no outage of its own.
    const third = nextAttempt({ ...next, status: 'failed', job: { id: 'ftjob-paid', status: 'succeeded' }, outage: { since: 't', phase: 'training', checking: 'x', error: { code: 'http_503', message: 'down' }, failures: 9 } }, '2026-01-03T00:00:00.000Z');
    expect(trainedJob(third)).toEqual({ jobId: 'ftjob-paid', fineTunedModel: 'gpt-4o-mini.ft-paid', attempt: 1 });
    expect(third.outage).toBeUndefined();
    // The job itself failed: nothing to start from.
    const jobFailed = nextAttempt(run(), '2026-01-02T00:00:00.000Z');
    expect(jobFailed.previousAttempts?.[0]?.fineTunedModel).toBeUndefined();
    expect(pipelineInput(jobFailed, config).trainedJob).toBeUndefined();
  });

  it("gives a retried attempt's notifications their own ids, so consumers that dedupe keep them", () => {
    expect(runEvent(run(), 'run.failed', 't', {}).id).toBe('sarcasm-0123456789:run.failed');
    expect(runEvent({ ...run(), attempt: 2 }, 'run.failed', 't', {})).toMatchObject({ id: 'sarcasm-0123456789:2:run.failed', attempt: 2 });
  });

  it('records each notification once per id, the latest delivery winning', () => {
    const once = applyUpdate(run(), { at: 'a', notification: { id: 'x:run.failed', type: 'run.failed', webhook: 'failed' } });
    const twice = applyUpdate(once, { at: 'b', notification: { id: 'x:run.failed', type: 'run.failed', webhook: 'delivered' } });
    expect(twice.notifications).toEqual([{ id: 'x:run.failed', type: 'run.failed', webhook: 'delivered', at: 'b' }]);
  });
});

describe('training metrics', () => {
  it('reads every numeric results.csv column, skipping empty cells', () => {
    expect(parseMetricsCsv('step,train_loss,train_mean_token_accuracy,valid_loss\n1,2.5,0.5,\n2,2.0,0.6,2.2\n')).toEqual([
      { step: 1, train_loss: 2.5, train_mean_token_accuracy: 0.5 },
      { step: 2, train_loss: 2.0, train_mean_token_accuracy: 0.6, valid_loss: 2.2 },
    ]);
    expect(parseMetricsCsv('no,header\n1,2')).toEqual([]);
  });

  it('reads metrics events newest-first into rows oldest-first, reward columns included', () => {
    const events = [
      { type: 'metrics', data: { step: 2, total_steps: 9, train_loss: 1, train_reward_mean: 0.4 } },
      { type: 'message', data: null },
      { type: 'metrics', data: { step: 1, total_steps: 9, train_loss: 2, note: 'x' } },
    ];
    expect(metricsFromEvents(events)).toEqual([
      { step: 1, train_loss: 2 },
      { step: 2, train_loss: 1, train_reward_mean: 0.4 },
    ]);
  });
});

describe('GET /api/v1/models', () => {
  it('lists each alias with what it points at now, then every live deployment not named like an alias', () => {
    const deployments = [
      { deploymentName: 'sarcasm-1111', dataset: 'sarcasm', model: 'm1', runId: 'r1', updatedAt: '2026-01-01T00:00:00Z' },
      { deploymentName: 'sarcasm-2222', dataset: 'sarcasm', model: 'm2', runId: 'r2', updatedAt: '2026-01-02T00:00:00Z' },
      { deploymentName: 'sarcasm-0000', dataset: 'sarcasm', model: 'm0', runId: 'r0', updatedAt: '2025-12-01T00:00:00Z', deletedAt: '2025-12-20T00:00:00Z' },
    ];
    const aliases = [{ alias: 'sarcasm', current: { deploymentName: 'sarcasm-1111', model: 'm1', runId: 'r1', since: '2026-01-02T00:00:00Z' }, history: [], updatedAt: '2026-01-02T00:00:00Z' }];
    expect(modelList({ deployments, aliases })).toEqual({
      object: 'list',
      data: [
        // The alias follows its record (rolled back to r1), not the newest deployment.
        { id: 'sarcasm', object: 'model', created: 1767312000, owned_by: 'finetune-pipeline', kind: 'alias', deployment: 'sarcasm-1111', model: 'm1', run_id: 'r1' },
        expect.objectContaining({ id: 'sarcasm-2222', kind: 'deployment', model: 'm2' }),
        expect.objectContaining({ id: 'sarcasm-1111', kind: 'deployment', model: 'm1' }),
      ],
    });
  });
});

describe('dataset names for uploads', () => {
  it('accepts folders and plain names, refuses traversal, odd characters and companion suffixes', () => {
    for (const good of ['sarcasm', 'lab/sarcasm', 'team-a/v1.2_final']) expect(datasetNameProblem(good)).toBeUndefined();
    for (const bad of ['', 'a/../b', '../x', '/abs', 'a//b', 'has space', 'x.validation', 'x.eval', 'é', 'a'.repeat(201)]) expect(datasetNameProblem(bad), bad).toBeDefined();
  });
});

describe('ftpipe', () => {
  it('reads the app URL and the function key from the environment, never from an argument', () => {
    const client = new AppClient({ keyEnv: 'MY_KEY' }, { MY_KEY: 's3cret', FTPIPE_APP_URL: 'https://app.example.net/api/' });
    expect(client.baseUrl).toBe('https://app.example.net');
    expect(client.headers).toEqual({ 'x-functions-key': 's3cret' });
    expect(new AppClient({}, {}).baseUrl).toBe('http://127.0.0.1:7071');
    expect(new AppClient({}, {}).headers).toEqual({});
    expect(() => new AppClient({ app: 'not a url' }, {})).toThrow(/--app: 'not a url' is not a URL/);
  });

  it('maps how a run ended to the documented exit status', () => {
    expect(['succeeded', 'rejected', 'failed', 'cancelled', 'not_promoted', 'something-new'].map(exitFor)).toEqual([0, 1, 3, 4, 5, 3]);
    expect(outcomeLine(run())).toBe('run sarcasm-0123456789 failed: internalFailure: boom. Start it again: ftpipe retry sarcasm-0123456789');
  });
});

describe('local output', () => {
  it("logs a run's end as what happened, not 'completed'", () => {
    expect(statusLine(run())).toBe('run sarcasm-0123456789 (sarcasm): FAILED: internalFailure: boom');
    expect(statusLine(run({ status: 'cancelled', attempt: 2 }))).toBe('run sarcasm-0123456789 (sarcasm) attempt 2: CANCELLED on request.');
    expect(statusLine(run({ status: 'succeeded', deployment: { name: 'sarcasm', model: 'm', sku: 'Standard', capacity: 1, chatUrl: 'u' } }))).toBe(
      'run sarcasm-0123456789 (sarcasm): SUCCEEDED. Deployment sarcasm; try it: ftpipe chat sarcasm',
    );
  });

  it('LOCAL_LOG_LEVEL is info by default, debug on request, and anything else is an error', () => {
    expect(parseHostLogLevel(undefined)).toBe('info');
    expect(parseHostLogLevel('Information')).toBe('info');
    expect(parseHostLogLevel('DEBUG')).toBe('debug');
    expect(() => parseHostLogLevel('loud')).toThrow("LOCAL_LOG_LEVEL must be info or debug, got 'loud'");
  });

  it('prints the connection string only for the local Azurite (a real account key is a secret)', () => {
    const azurite = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
    const real = 'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=secret;EndpointSuffix=core.windows.net';
    expect(isLocalConnectionString(azurite)).toBe(true);
    expect(isLocalConnectionString(real)).toBe(false);
    expect(readyLines({ hostUrl: 'http://127.0.0.1:7071', connectionString: azurite, env: {} }).join('\n')).toContain(`export AZURE_STORAGE_CONNECTION_STRING="${azurite}"`);
    const printed = readyLines({ hostUrl: 'http://127.0.0.1:7071', connectionString: real, env: {} }).join('\n');
    expect(printed).not.toContain('secret');
    expect(printed).toContain('npm run --silent ftpipe -- drop ./my-data.jsonl --watch\n');
  });
});
