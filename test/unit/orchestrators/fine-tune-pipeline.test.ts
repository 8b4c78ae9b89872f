/**
 * The orchestrator itself, driven as durable-functions drives it: a generator that yields tasks
 * (activity calls, timers, Task.any of a timer and the cancel event) and is resumed with each
 * task's result — or has the activity's failure thrown into it. The fake context keeps a clock
 * that only durable timers advance, like the orchestration's replay-safe currentUtcDateTime.
 */
import type { OrchestrationContext } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { fineTunePipeline, type PipelineInput } from '../../../src/orchestrators/fine-tune-pipeline.js';
import type { RecordRunInput } from '../../../src/orchestrators/activities/record-run.js';
import type { RunEvent } from '../../../src/runs/run-record.js';
import { DEFAULT_PROMOTION } from '../../../src/evaluation/promotion.js';

type Activity = { kind: 'activity'; name: string; input: unknown; retry: { maxNumberOfAttempts: number } };
type Timer = { kind: 'timer'; fireAt: Date; cancel(): void; isCompleted: boolean };
type Event = { kind: 'event'; name: string; isCompleted: boolean };
type AnyTask = { kind: 'any'; tasks: Array<Timer | Event> };
type Yielded = Activity | Timer | AnyTask;

/** Answers an activity: a value (wrapped as `{ ok: true }`), a `{ ok: false }` result, or throws a transient failure. */
type Answer = (input: unknown, call: number) => unknown;
const TRANSIENT = Symbol('transient');
const transient = (message = 'transient: http_503: Service Unavailable'): never => {
  throw Object.assign(new Error(message), { [TRANSIENT]: true });
};

const INPUT: PipelineInput = {
  runId: 'sarcasm-1234abcd-5678ef01',
  dataset: 'sarcasm',
  options: { baseModel: 'gpt-4o-mini-2024-07-18', deployment: { sku: 'Standard', capacity: 1 } } as PipelineInput['options'],
  snapshots: { training: 'sarcasm-1234abcd-5678ef01/inputs/training.jsonl' },
  polling: { minSeconds: 10, maxSeconds: 60 },
  deleteUploadedFiles: true,
  chatUrl: 'http://localhost:7071/api/v1/chat/completions',
  outage: { maxSeconds: 3600, pollSeconds: 30 },
};

const DEFAULTS: Record<string, Answer> = {
  recordRun: () => null,
  notify: () => null,
  prepareEvaluation: () => ({ trainingSnapshot: INPUT.snapshots.training, artifacts: [], evalSet: { blob: 'eval.jsonl', source: 'holdout', examples: 5 } }),
  checkCapacity: () => ({ used: 0, limit: 10, free: true, policy: 'wait' }),
  uploadFile: () => 'file-train',
  fileStatus: () => ({ status: 'processed' }),
  createJob: () => ({ jobId: 'ftjob-1', status: 'queued' }),
  // Running on the first check, succeeded on the second.
  jobStatus: (_input, call) => (call < 2 ? { status: 'running', resultFiles: [] } : { status: 'succeeded', fineTunedModel: 'gpt-4o-mini.ft-1', resultFiles: [] }),
  deployModel: () => null,
  recordDeployment: () => null,
  deploymentStatus: () => ({ provisioningState: 'Succeeded', model: 'gpt-4o-mini.ft-1' }),
  smokeTest: () => ({ ok: true }),
  deleteFiles: () => null,
  evaluateCandidate: () => ({
    set: { blob: 'eval.jsonl', examples: 5 },
    metric: 'exact',
    aggregates: { candidate: { exact: 0.9 }, champion: { exact: 0.5 } },
    contenders: [],
    decision: { promote: true, reason: 'better than the champion' },
    artifacts: ['evaluation.json'],
  }),
  switchAlias: () => ({}),
  removeDeployment: () => null,
  cancelJob: () => 'cancelled',
};

interface Run {
  result: { status: string };
  calls: Activity[];
  names: string[];
  statuses: string[];
  events: RunEvent[];
  updates: RecordRunInput['update'][];
  timers: number[];
  customStatus: unknown[];
}

/**
 * Runs the orchestrator to its end. `answers` override DEFAULTS; `cancelWhen` raises the cancel
 * event at the first cancellable wait after the activity of that name ran.
 */
function drive(answers: Record<string, Answer> = {}, options: { cancelAfter?: string; input?: Partial<PipelineInput> } = {}): Run {
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const customStatus: unknown[] = [];
  const cancelEvent: Event = { kind: 'event', name: '', isCompleted: false };
  const context = {
    df: {
      getInput: () => ({ ...INPUT, ...options.input }),
      get currentUtcDateTime() {
        return new Date(clock);
      },
      setCustomStatus: (s: unknown) => customStatus.push(s),
      callActivityWithRetry: (name: string, retry: { maxNumberOfAttempts: number }, input: unknown): Activity => ({ kind: 'activity', name, input, retry }),
      createTimer: (fireAt: Date): Timer => ({ kind: 'timer', fireAt, cancel() {}, isCompleted: false }),
      waitForExternalEvent: (name: string): Event => Object.assign(cancelEvent, { name }),
      Task: { any: (tasks: Array<Timer | Event>): AnyTask => ({ kind: 'any', tasks }) },
    },
  } as unknown as OrchestrationContext;

  const run: Run = { result: { status: '' }, calls: [], names: [], statuses: [], events: [], updates: [], timers: [], customStatus };
  const counts = new Map<string, number>();
  let cancelArmed = false;
  const gen = fineTunePipeline(context);
  let next = gen.next();
  for (let steps = 0; !next.done; steps++) {
    if (steps > 2000) throw new Error('the orchestration did not end');
    const task = next.value as unknown as Yielded;
    if (task.kind === 'activity') {
      run.calls.push(task);
      run.names.push(task.name);
      const call = (counts.get(task.name) ?? 0) + 1;
      counts.set(task.name, call);
      if (task.name === 'recordRun') {
        const update = (task.input as RecordRunInput).update;
        run.updates.push(update);
        if (update.status) run.statuses.push(update.status);
      }
      if (task.name === 'notify') run.events.push(task.input as RunEvent);
      if (task.name === options.cancelAfter) cancelArmed = true;
      const answer = answers[task.name] ?? DEFAULTS[task.name];
      if (!answer) throw new Error(`no answer for activity ${task.name}`);
      let value: unknown;
      try {
        value = answer(task.input, call);
      } catch (error) {
        next = gen.throw(error);
        continue;
      }
      const result = value && typeof value === 'object' && 'ok' in value && (value as { ok: unknown }).ok === false ? value : { ok: true, value };
      next = gen.next(result);
    } else if (task.kind === 'any') {
      const timer = task.tasks.find((t): t is Timer => t.kind === 'timer')!;
      if (cancelArmed && !cancelEvent.isCompleted) {
        cancelEvent.isCompleted = true;
        next = gen.next(cancelEvent);
        continue;
      }
      run.timers.push((timer.fireAt.getTime() - clock) / 1000);
      clock = timer.fireAt.getTime();
      next = gen.next(timer);
    } else {
      run.timers.push((task.fireAt.getTime() - clock) / 1000);
      clock = task.fireAt.getTime();
      next = gen.next(undefined);
    }
  }
  run.result = next.value as { status: string };
  return run;
}

const eventTypes = (run: Run): string[] => run.events.map((e) => e.type);

describe('fineTunePipeline (the orchestrator generator)', () => {
  it('success: upload → processed → one job → monitored → deployed → evaluated → promoted, notified', () => {
    const run = drive();
    expect(run.result).toEqual({ status: 'succeeded' });
    expect(run.names).toEqual([
      'recordRun', 'prepareEvaluation', 'checkCapacity', 'uploadFile', 'recordRun', 'fileStatus', 'createJob', 'recordRun', 'notify',
      'jobStatus', 'jobStatus', 'recordRun',
      'checkCapacity', 'deployModel', 'recordDeployment', 'deploymentStatus', 'smokeTest', 'deleteFiles', 'recordRun', 'recordRun',
      'evaluateCandidate', 'recordRun', 'switchAlias', 'recordRun', 'notify',
    ]);
    expect(run.statuses).toEqual(['uploading', 'training', 'deploying', 'evaluating', 'succeeded']);
    expect(eventTypes(run)).toEqual(['run.training', 'run.succeeded']);
    // One wait between the two job checks, from the poll policy (running, no estimate: 1.5 × POLL_MIN_SECONDS).
    expect(run.timers).toEqual([15]);
  });

  it('a retry after a succeeded job deploys that job\'s model: nothing uploaded, no new job, the job read once', () => {
    const run = drive(
      { jobStatus: () => ({ status: 'succeeded', fineTunedModel: 'gpt-4o-mini.ft-1', resultFiles: [] }) },
      { input: { attempt: 2, trainedJob: { jobId: 'ftjob-paid', fineTunedModel: 'gpt-4o-mini.ft-1', fromAttempt: 1 } } },
    );
    expect(run.result).toEqual({ status: 'succeeded' });
    expect(run.names).not.toContain('uploadFile');
    expect(run.names).not.toContain('createJob');
    expect(run.names).not.toContain('deleteFiles');
    expect(run.calls.filter((c) => c.name === 'jobStatus').map((c) => c.input)).toEqual([{ runId: INPUT.runId, jobId: 'ftjob-paid' }]);
    expect(run.calls.find((c) => c.name === 'deployModel')?.input).toMatchObject({ model: 'gpt-4o-mini.ft-1' });
    expect(run.statuses).toEqual(['uploading', 'training', 'deploying', 'evaluating', 'succeeded']);
    expect(run.events[0]).toMatchObject({ type: 'run.training', data: { jobId: 'ftjob-paid', reusedFromAttempt: 1 } });
    expect(run.updates.find((u) => u.status === 'training')).toMatchObject({ job: { id: 'ftjob-paid', status: 'succeeded', fineTunedModel: 'gpt-4o-mini.ft-1' } });
  });

  it('a retry whose earlier job is no longer there fails with the service\'s answer, and trains nothing', () => {
    const run = drive(
      { jobStatus: () => ({ ok: false, error: { code: 'notFound', message: 'The job ftjob-gone does not exist.' } }) },
      { input: { attempt: 2, trainedJob: { jobId: 'ftjob-gone', fineTunedModel: 'gpt-4o-mini.ft-gone', fromAttempt: 1 } } },
    );
    expect(run.result).toEqual({ status: 'failed' });
    expect(run.names).not.toContain('createJob');
    expect(run.updates.at(-1)).toMatchObject({ status: 'failed', error: { code: 'notFound' } });
  });

  it("a checkpoint deployment whose PUT answer is lost is still removed when the run fails", () => {
    const checkpointsInput = { options: { ...INPUT.options, promotion: { ...DEFAULT_PROMOTION, checkpoints: 1 } } };
    const run = drive(
      {
        listCheckpoints: () => [
          { id: 'ftchkpt-30', name: 'ft-1:ckpt-step-30', step: 30 },
          { id: 'ftchkpt-20', name: 'ft-1:ckpt-step-20', step: 20 },
        ],
        deployModel: (input) => ((input as { model: string }).model === 'ftchkpt-20' ? transient('Activity function deployModel failed: http_503') : null),
      },
      { input: checkpointsInput },
    );
    expect(run.result).toEqual({ status: 'failed' });
    const removed = run.calls.filter((c) => c.name === 'removeDeployment').map((c) => (c.input as { name: string }).name);
    expect(removed.some((name) => name.endsWith('-s20'))).toBe(true);
  });

  it("checkpoints the service will not list are skipped; the candidate still competes", () => {
    const run = drive(
      { listCheckpoints: () => ({ ok: false, error: { code: 'notFound', message: 'no checkpoints' } }) },
      { input: { options: { ...INPUT.options, promotion: { ...DEFAULT_PROMOTION, checkpoints: 2 } } } },
    );
    expect(run.result).toEqual({ status: 'succeeded' });
    expect(run.calls.find((c) => c.name === 'evaluateCandidate')?.input).toMatchObject({ skippedCheckpoints: [{ step: 0, reason: expect.stringContaining('no checkpoints') }] });
  });

  it('a candidate the gate rejects ends not_promoted, its deployment removed', () => {
    const run = drive({
      evaluateCandidate: () => ({ ...(DEFAULTS.evaluateCandidate!(undefined, 1) as object), decision: { promote: false, reason: 'worse than the champion' } }),
    });
    expect(run.result).toEqual({ status: 'not_promoted' });
    expect(run.names.slice(-3)).toEqual(['removeDeployment', 'recordRun', 'notify']);
    expect(eventTypes(run)).toEqual(['run.training', 'run.not_promoted']);
  });

  it('a permanent failure (a job Azure refuses) ends the run failed at once, with the service message, files deleted', () => {
    const run = drive({ createJob: () => ({ ok: false, error: { code: 'invalidPayload', message: 'The job was refused.' } }) });
    expect(run.result).toEqual({ status: 'failed' });
    expect(run.names.filter((n) => n === 'createJob')).toHaveLength(1);
    expect(run.updates.at(-1)).toMatchObject({ status: 'failed', error: { code: 'invalidPayload', message: 'The job was refused.' } });
    expect(run.names).toContain('deleteFiles');
    expect(eventTypes(run)).toEqual(['run.failed']);
  });

  it('a cancel during training cancels the job and ends cancelled', () => {
    const run = drive({ jobStatus: () => ({ status: 'running', resultFiles: [] }) }, { cancelAfter: 'jobStatus' });
    expect(run.result).toEqual({ status: 'cancelled' });
    expect(run.names).toContain('cancelJob');
    expect(run.updates.at(-1)).toMatchObject({ status: 'cancelled', cancellation: { phase: 'training', by: 'api', outcome: 'cancelled', jobStatus: 'cancelled' } });
    expect(eventTypes(run)).toEqual(['run.training', 'run.cancelled']);
  });

  it('a cancel during deploying is too late: the run completes, records the late cancel, and is notified', () => {
    let checks = 0;
    const run = drive(
      { deploymentStatus: () => (++checks < 2 ? { provisioningState: 'Creating' } : { provisioningState: 'Succeeded', model: 'gpt-4o-mini.ft-1' }) },
      { cancelAfter: 'deploymentStatus' },
    );
    expect(run.result).toEqual({ status: 'succeeded' });
    expect(run.names).not.toContain('cancelJob');
    expect(run.names).not.toContain('removeDeployment');
    expect(run.updates.find((u) => u.cancellation)?.cancellation).toMatchObject({ phase: 'deploying', by: 'api', outcome: 'completed' });
    expect(eventTypes(run)).toEqual(['run.training', 'run.succeeded']);
  });

  it('an outage while the job trains: run.delayed once, durable backoff, then the SAME job goes on to succeed', () => {
    // Checks 2-5 fail after their quick retries (the service is down); the 6th sees the job done.
    const run = drive({
      jobStatus: (_input, call) =>
        call === 1 ? { status: 'running', resultFiles: [] } : call <= 5 ? transient() : { status: 'succeeded', fineTunedModel: 'gpt-4o-mini.ft-1', resultFiles: [] },
    });
    expect(run.result).toEqual({ status: 'succeeded' });
    expect(run.names.filter((n) => n === 'createJob')).toHaveLength(1);
    expect(run.names.filter((n) => n === 'jobStatus')).toHaveLength(6);
    expect(eventTypes(run)).toEqual(['run.training', 'run.delayed', 'run.succeeded']);
    const delayed = run.events.find((e) => e.type === 'run.delayed')!;
    expect(delayed.status).toBe('training');
    expect(delayed.data).toMatchObject({ checking: 'fine-tuning job ftjob-1', error: { code: 'http_503', message: 'Service Unavailable' }, maxMinutes: 60 });
    expect(String(delayed.data['message'])).toContain('keeps waiting');
    // The status stays training through the outage; no status change is recorded for it.
    expect(run.statuses).toEqual(['uploading', 'training', 'deploying', 'evaluating', 'succeeded']);
    // poll wait, then the outage's doubling timers.
    expect(run.timers).toEqual([15, 30, 60, 120, 240]);
    const outages = run.updates.filter((u) => u.outage).map((u) => u.outage);
    expect(outages).toHaveLength(2);
    expect(outages[0]).toMatchObject({ phase: 'training', checking: 'fine-tuning job ftjob-1', failures: 1, since: '2026-12-01T00:00:15.000Z' });
    expect(outages[0]?.resolvedAt).toBeUndefined();
    expect(outages[1]).toMatchObject({ failures: 4, resolvedAt: '2026-12-01T00:07:45.000Z' });
    // Status checks use the short durable retry; other calls the long one.
    expect(run.calls.find((c) => c.name === 'jobStatus')?.retry.maxNumberOfAttempts).toBe(3);
    expect(run.calls.find((c) => c.name === 'createJob')?.retry.maxNumberOfAttempts).toBe(8);
  });

  it('an outage longer than OUTAGE_MAX_MINUTES fails the run service_unreachable', () => {
    const run = drive({ jobStatus: (_input, call) => (call === 1 ? { status: 'running', resultFiles: [] } : transient()) }, { input: { outage: { maxSeconds: 600, pollSeconds: 60 } } });
    expect(run.result).toEqual({ status: 'failed' });
    expect(run.updates.at(-1)?.error).toMatchObject({ code: 'service_unreachable' });
    expect(eventTypes(run)).toEqual(['run.training', 'run.delayed', 'run.failed']);
    expect(run.timers.reduce((a, b) => a + b, 0) - 15).toBe(600);
  });

  it('an outage while the deployment provisions is waited out too', () => {
    const run = drive({ deploymentStatus: (_input, call) => (call <= 2 ? transient('transient: ECONNRESET: socket hang up') : { provisioningState: 'Succeeded', model: 'gpt-4o-mini.ft-1' }) });
    expect(run.result).toEqual({ status: 'succeeded' });
    expect(run.names.filter((n) => n === 'deployModel')).toHaveLength(1);
    const delayed = run.events.find((e) => e.type === 'run.delayed');
    expect(delayed).toMatchObject({ status: 'deploying', data: { checking: expect.stringMatching(/^deployment sarcasm-/), error: { code: 'ECONNRESET' } } });
  });
});
