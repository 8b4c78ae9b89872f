import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { processDrop as handleDrop, type IntakeDeps } from '../../src/intake/process-drop.js';
import type { RunValidationReport } from '../../src/intake/report.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { RunStore, runBlobName } from '../../src/runs/run-store.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { LAB_TRAINING, METHODS_DIR } from '../support/paths.js';
import { DEFAULT_PRICES } from '../../src/costs/prices.js';

const read = (name: string): Buffer => readFileSync(path.join(METHODS_DIR, name));

/**
 * Intake over a real Azurite: what the method and the grader file do to validation, the run id
 * and the snapshots. The orchestration starter is the only stand-in (it records the runs handed on).
 */
describe('intake: method and grader (Azurite)', () => {
  let azurite: RunningAzurite;
  let storage: { datasets: ContainerClient; runs: ContainerClient; events: QueueClient };
  let deps: IntakeDeps;
  const started: RunRecord[] = [];

  /**
   * Intake with FT_BASE_MODEL = `baseModel`. The method tests name their model here rather than in
   * the options: until the options parser knows `method` (issue 9) it rejects the options file,
   * and intake then validates for the app's default model.
   */
  function depsFor(baseModel: string): IntakeDeps {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    storage = {
      datasets: blobs.getContainerClient('datasets'),
      runs: blobs.getContainerClient('runs'),
      events: new QueueClient(azurite.connectionString, 'finetune-events'),
    };
    return {
      config: {
        fineTuning: { baseModel },
        deployment: { sku: 'Standard', capacity: 1 },
        notify: {},
        intake: { settleSeconds: 0, orphanMinutes: 60 },
        runsContainer: 'runs',
        prices: DEFAULT_PRICES,
      },
      storage,
      store: new RunStore(storage.runs),
      log: () => {},
      orchestrationExists: async () => false,
      startOrchestration: async (_id, run) => {
        started.push(run);
      },
    };
  }

  beforeAll(async () => {
    azurite = await startAzurite();
    deps = depsFor('o4-mini-2025-04-16');
    await storage.datasets.createIfNotExists();
    await storage.runs.createIfNotExists();
    await storage.events.createIfNotExists();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  const put = (name: string, body: Buffer | string) => storage.datasets.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
  const report = async (runId: string): Promise<RunValidationReport> =>
    JSON.parse((await storage.runs.getBlobClient(runBlobName(runId, 'validation-report.json')).downloadToBuffer()).toString('utf8')) as RunValidationReport;

  it('o4-mini with supervised data is rejected before upload, naming reinforcement', async () => {
    await put('o4/chat.json', JSON.stringify({ baseModel: 'o4-mini-2025-04-16' }));
    await put('o4/chat.jsonl', readFileSync(LAB_TRAINING));
    const outcome = await handleDrop('o4/chat.jsonl', deps);
    expect(outcome.outcome).toBe('rejected');
    const run = (await deps.store.get((outcome as { runId: string }).runId))!;
    expect(run.validation?.errors[0]).toMatchObject({ code: 'unsupported_method', line: null });
    expect(run.validation?.errors[0]?.message).toMatch(/^training: o4-mini-2025-04-16 does not support supervised fine-tuning \(it supports reinforcement\)/);
    expect(started).toEqual([]);
  });

  it('a reinforcement drop: data validated as RFT with the grader, grader snapshotted and part of the run id', async () => {
    await put('rft/capitals.json', JSON.stringify({ method: { type: 'reinforcement' } }));
    await put('rft/capitals.validation.jsonl', read('reinforcement.validation.jsonl'));
    await put('rft/capitals.grader.json', read('reinforcement.grader.json'));
    expect(await handleDrop('rft/capitals.grader.json', deps)).toMatchObject({ outcome: 'ignored', reason: 'a grader file; it is read when rft/capitals.jsonl arrives' });
    await put('rft/capitals.jsonl', read('reinforcement.jsonl'));
    const outcome = (await handleDrop('rft/capitals.jsonl', deps)) as { outcome: string; runId: string };
    const validated = await report(outcome.runId);
    expect(validated.method).toBe('reinforcement');
    expect(validated.methodSource).toBe('options');
    expect(validated.files.map((f) => [f.role, f.errorCount])).toEqual([
      ['training', 0],
      ['validation', 0],
    ]);
    expect(validated.grader).toMatchObject({ path: 'rft/capitals.grader.json', valid: true, itemPaths: [['answer']] });
    // Until the options parser knows `method` (issue 9), it reports the key; nothing else may be wrong.
    expect(validated.options?.errors.filter((e) => e.field !== 'method') ?? []).toEqual([]);
    const run = (await deps.store.get(outcome.runId))!;
    expect(run.inputs.grader).toMatchObject({ blob: 'rft/capitals.grader.json', snapshot: `${outcome.runId}/inputs/grader.json` });
    const snapshot = await storage.runs.getBlobClient(run.inputs.grader!.snapshot).downloadToBuffer();
    expect(snapshot.equals(read('reinforcement.grader.json'))).toBe(true);

    // A changed grader is a new run.
    await put('rft/capitals.grader.json', read('reinforcement.grader.json').toString('utf8').replace('"eq"', '"ilike"'));
    const again = (await handleDrop('rft/capitals.jsonl', deps)) as { runId: string };
    expect(again.runId).not.toBe(outcome.runId);
  });

  it('a malformed grader and a line without its reference field reject the run, with the grader errors in run.json', async () => {
    await put('rft/bad.json', JSON.stringify({ method: { type: 'reinforcement' } }));
    await put('rft/bad.validation.jsonl', read('reinforcement.validation.jsonl'));
    await put('rft/bad.grader.json', JSON.stringify({ type: 'string_check', name: 'x', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'equals' }));
    const lines = read('reinforcement.jsonl').toString('utf8').trimEnd().split('\n');
    lines[4] = JSON.stringify({ messages: [{ role: 'user', content: 'q' }] });
    await put('rft/bad.jsonl', `${lines.join('\n')}\n`);
    const outcome = (await handleDrop('rft/bad.jsonl', deps)) as { outcome: string; runId: string };
    expect(outcome.outcome).toBe('rejected');
    const run = (await deps.store.get(outcome.runId))!;
    expect(run.validation?.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'grader_invalid', field: 'operation', message: expect.stringMatching(/^grader: operation: must be one of eq, ne, like, ilike/) }),
      ]),
    );
    // The grader is invalid, so its references are unknown: the data is checked for its shape only.
    const validated = await report(outcome.runId);
    expect(validated.grader?.valid).toBe(false);
  });

  it('a grader inline in the options (method.grader) is checked the same way; given twice, the run is rejected', async () => {
    const grader = JSON.parse(read('reinforcement.grader.json').toString('utf8')) as Record<string, unknown>;
    await put('rft/inline.json', JSON.stringify({ method: { type: 'reinforcement', grader: { ...grader, reference: '{{ item.capital }}' } } }));
    await put('rft/inline.validation.jsonl', read('reinforcement.validation.jsonl'));
    await put('rft/inline.jsonl', read('reinforcement.jsonl'));
    const inline = (await handleDrop('rft/inline.jsonl', deps)) as { runId: string };
    const validated = await report(inline.runId);
    expect(validated.grader).toMatchObject({ path: 'rft/inline.json (method.grader)', itemPaths: [['capital']] });
    // The lines have "answer", not the "capital" this grader reads: every line is named.
    expect(validated.files[0]!.errors.filter((e) => e.code === 'rft_missing_reference_field').map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    await put('rft/inline.grader.json', read('reinforcement.grader.json'));
    const twice = (await handleDrop('rft/inline.jsonl', deps)) as { outcome: string; runId: string };
    expect(twice.outcome).toBe('rejected');
    expect((await report(twice.runId)).grader?.errors[0]?.message).toBe(
      'the grader is given twice, as rft/inline.grader.json and as method.grader in the options; keep one',
    );
  });

  it('a preference drop is validated as DPO and a malformed pair is rejected with its code and line', async () => {
    deps = depsFor('gpt-4.1-mini-2025-04-14');
    await put('dpo/tone.json', JSON.stringify({ method: { type: 'dpo' } }));
    const lines = read('preference.jsonl').toString('utf8').trimEnd().split('\n');
    const bad = JSON.parse(lines[6]!) as Record<string, unknown>;
    bad['preferred_output'] = [{ role: 'user', content: 'not an answer' }];
    lines[6] = JSON.stringify(bad);
    await put('dpo/tone.jsonl', `${lines.join('\n')}\n`);
    const outcome = (await handleDrop('dpo/tone.jsonl', deps)) as { outcome: string; runId: string };
    expect(outcome.outcome).toBe('rejected');
    const validated = await report(outcome.runId);
    expect(validated.method).toBe('dpo');
    expect(validated.files[0]!.errors).toEqual([expect.objectContaining({ code: 'dpo_invalid_output', line: 7, field: 'preferred_output[0].role' })]);
  });
});
