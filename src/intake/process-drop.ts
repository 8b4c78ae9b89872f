/**
 * What happens when a file lands in the drop zone — the intake's one entry point, `processDrop`.
 * Pure steps decide (drop-name.ts: what the blob is; plan.ts: what to do; report.ts and
 * build-record.ts: what to write); this file does the I/O in between: it reads the drop zone
 * (streams, every download pinned to the ETag that was validated — the drop zone is never
 * modified), writes through the run-artifact store, notifies, and starts the orchestration.
 *
 * Safe to call more than once for the same blob, also concurrently (Event Grid delivers at least
 * once; a reconciliation sweep may call it too): run.json is created only if absent (or replaced
 * only if unchanged), and only the caller whose write won starts the orchestration or notifies.
 */
import { createHash } from 'node:crypto';
import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config.js';
import { isNotFound } from '../azure/service-errors.js';
import { dropEvent, runEvent } from '../notify/events.js';
import { publish, type PublishDeps } from '../notify/publish.js';
import { listDeployments } from '../runs/deployment-registry.js';
import { computeRunId, legacyRunId, type RunContents } from '../runs/run-id.js';
import { parseRunOptions, type OptionsProblem } from '../runs/run-options.js';
import type { InputFile, RunRecord } from '../runs/run-record.js';
import type { RunStore } from '../runs/run-store.js';
import { validateDataset } from '../validation/index.js';
import { buildRunRecord } from './build-record.js';
import { classifyDropName, OPTIONS_SUFFIX, VALIDATION_SUFFIX } from './drop-name.js';
import { deploymentTakenBy, isLateCompanion, planRun, settleDelayMs, type ExistingRun } from './plan.js';
import { buildRunReport, renderRunReport } from './report.js';

/** Options files are tiny; anything bigger is not an options file. */
const MAX_OPTIONS_BYTES = 64 * 1024;

export interface IntakeDeps {
  config: Pick<AppConfig, 'fineTuning' | 'deployment' | 'notify' | 'intake' | 'runsContainer'>;
  storage: { datasets: ContainerClient; runs: ContainerClient; events: QueueClient };
  store: RunStore;
  log: (line: string) => void;
  /** Whether an orchestration with this instance id exists already. */
  orchestrationExists: (runId: string) => Promise<boolean>;
  startOrchestration: (runId: string, run: RunRecord) => Promise<void>;
  /** Injected for tests; the real clock and timer otherwise. */
  now?: () => Date;
  wait?: (ms: number) => Promise<void>;
}

export type IntakeOutcome =
  | { outcome: 'ignored'; reason: string; code?: string; reported: boolean }
  | { outcome: 'duplicate'; runId: string; reported: boolean }
  | { outcome: 'rejected'; runId: string }
  | { outcome: 'started'; runId: string };

interface Pinned {
  blob: BlobClient;
  name: string;
  etag: string;
  bytes: number;
  lastModified: Date | undefined;
}

async function pin(container: ContainerClient, name: string): Promise<Pinned | undefined> {
  const blob = container.getBlobClient(name);
  try {
    const p = await blob.getProperties();
    return { blob, name, etag: p.etag ?? '', bytes: p.contentLength ?? 0, lastModified: p.lastModified };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The blob's bytes, downloaded on first read: a file over the size limit is never downloaded. */
async function* stream(file: Pinned): AsyncGenerator<Buffer | string> {
  const response = await file.blob.download(0, undefined, { conditions: { ifMatch: file.etag } });
  if (!response.readableStreamBody) throw new Error(`${file.name}: empty download`);
  yield* response.readableStreamBody as AsyncIterable<Buffer | string>;
}

function publishDeps(deps: IntakeDeps): PublishDeps {
  return { events: deps.storage.events, webhook: deps.config.notify, log: deps.log, store: deps.store };
}

/** The intake's entry point: one blob name of the drop zone (as the trigger reports it). */
export async function processDrop(blobName: string, deps: IntakeDeps): Promise<IntakeOutcome> {
  const now = deps.now ?? (() => new Date());
  const name = classifyDropName(blobName);

  if (name.kind === 'ignored') {
    const hint = name.suggestion ? ` Did you mean '${name.suggestion}'?` : '';
    deps.log(`Ignoring ${blobName}: ${name.reason}.${hint}`);
    if (!name.mistake) return { outcome: 'ignored', reason: name.reason, code: name.code, reported: false };
    const blob = await pin(deps.storage.datasets, blobName);
    if (!blob) return { outcome: 'ignored', reason: 'the blob no longer exists', reported: false };
    await publish(dropEvent(blobName, blob.etag, now().toISOString(), { code: name.code, reason: name.reason, ...(name.suggestion ? { suggestion: name.suggestion } : {}) }), publishDeps(deps));
    return { outcome: 'ignored', reason: name.reason, code: name.code, reported: true };
  }

  if (name.kind === 'companion') return companionArrived(blobName, name.role, name.dataset, deps, now);
  return trainingArrived(blobName, name.dataset, deps, now);
}

async function companionArrived(
  blobName: string,
  role: 'validation' | 'options' | 'eval' | 'grader',
  dataset: string,
  deps: IntakeDeps,
  now: () => Date,
): Promise<IntakeOutcome> {
  if (role === 'eval' || role === 'grader') {
    const reason = `${role === 'eval' ? 'evaluation prompts' : 'a grader'} for dataset '${dataset}': kept in the drop zone, not used to train`;
    deps.log(`Ignoring ${blobName}: ${reason}.`);
    return { outcome: 'ignored', reason, code: 'companion', reported: false };
  }
  const reason = `${role === 'options' ? 'an options' : 'a validation'} file; it is read when ${dataset}.jsonl arrives`;
  const blob = await pin(deps.storage.datasets, blobName);
  const latest = blob?.lastModified ? (await deps.store.list({ dataset, limit: 1 })).runs[0] : undefined;
  if (blob?.lastModified && isLateCompanion(role, { etag: blob.etag, lastModified: blob.lastModified }, latest)) {
    const runId = latest!.runId;
    const late = `${reason}, but run ${runId} of '${dataset}' started at ${latest!.createdAt} without this version of it; upload ${dataset}.jsonl again to start a run that uses it`;
    deps.log(`Ignoring ${blobName}: ${late}.`);
    await publish(dropEvent(blobName, blob.etag, now().toISOString(), { code: 'companion_after_training', reason: late, runId }), publishDeps(deps));
    return { outcome: 'ignored', reason: late, code: 'companion_after_training', reported: true };
  }
  deps.log(`Ignoring ${blobName}: ${reason}.`);
  return { outcome: 'ignored', reason, code: 'companion', reported: false };
}

async function trainingArrived(blobName: string, dataset: string, deps: IntakeDeps, now: () => Date): Promise<IntakeOutcome> {
  const { datasets } = deps.storage;
  let training = await pin(datasets, blobName);
  if (!training) {
    deps.log(`Ignoring ${blobName}: the blob no longer exists.`);
    return { outcome: 'ignored', reason: 'the blob no longer exists', reported: false };
  }
  // Companions uploaded together with the training file (a few seconds after it) are still read.
  const delay = settleDelayMs(training.lastModified, now(), deps.config.intake.settleSeconds);
  if (delay > 0) {
    await (deps.wait ?? ((ms) => sleep(ms)))(delay);
    training = (await pin(datasets, blobName)) ?? training;
  }
  const startedAt = now().toISOString();
  const validation = await pin(datasets, `${dataset}${VALIDATION_SUFFIX}`);
  const optionsBlob = await pin(datasets, `${dataset}${OPTIONS_SUFFIX}`);

  let optionsText: string | undefined;
  let optionsSha: string | undefined;
  const problems: OptionsProblem[] = [];
  if (optionsBlob) {
    if (optionsBlob.bytes > MAX_OPTIONS_BYTES) problems.push({ field: '', message: `the options file is ${optionsBlob.bytes} bytes; at most ${MAX_OPTIONS_BYTES} are allowed` });
    else {
      const bytes = await optionsBlob.blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: optionsBlob.etag } });
      optionsSha = createHash('sha256').update(bytes).digest('hex');
      optionsText = bytes.toString('utf8');
    }
  }
  const parsed = problems.length > 0 ? undefined : parseRunOptions(optionsText, dataset, deps.config);
  if (parsed && !parsed.ok) problems.push(...parsed.problems);
  if (parsed?.ok) {
    const taken = deploymentTakenBy(await recordedDeployments(deps), parsed.options.deployment.name, dataset);
    if (taken) {
      problems.push({
        field: 'deployment.name',
        message: `'${parsed.options.deployment.name}' is the deployment of dataset '${taken.dataset}' (run ${taken.runId}); Azure compares deployment names without case, so this run would replace that model — choose another name`,
      });
    }
  }
  const options = parsed?.ok && problems.length === 0 ? parsed.options : undefined;
  const epochs = options?.method?.hyperparameters?.["n_epochs"];

  const validated = await validateDataset(
    { source: stream(training), path: training.name, size: training.bytes },
    validation ? { source: stream(validation), path: validation.name, size: validation.bytes } : undefined,
    { model: options?.baseModel ?? deps.config.fineTuning.baseModel, ...(typeof epochs === 'number' ? { epochs } : {}) },
  );
  const report = buildRunReport(validated, optionsBlob ? { path: optionsBlob.name, problems } : undefined);
  const [trainingReport, validationReport] = report.files;
  const contents: RunContents = {
    training: trainingReport?.sha256 ?? '',
    ...(validationReport ? { validation: validationReport.sha256 } : {}),
    ...(optionsSha ? { options: optionsSha } : {}),
  };
  const runId = computeRunId(dataset, contents);

  const plan = planRun(await existingRun(runId, dataset, contents, deps), training.etag, now());
  if (plan.action === 'duplicate') return duplicate(blobName, training.etag, plan, deps, now);

  const snapshot = async (file: Pinned, role: 'training' | 'validation' | 'options', sha256: string): Promise<InputFile> => {
    const snapshotName = await deps.store.snapshot(runId, `inputs/${role}${role === 'options' ? '.json' : '.jsonl'}`, { url: file.blob.url, etag: file.etag });
    return { blob: file.name, snapshot: snapshotName, bytes: file.bytes, sha256, etag: file.etag };
  };
  await deps.store.ensureContainer();
  const inputs: RunRecord['inputs'] = {
    training: await snapshot(training, 'training', trainingReport?.sha256 ?? ''),
    ...(validation && validationReport ? { validation: await snapshot(validation, 'validation', validationReport.sha256) } : {}),
    ...(optionsBlob && optionsSha ? { options: await snapshot(optionsBlob, 'options', optionsSha) } : {}),
  };
  await deps.store.putText(runId, 'validation-report.json', `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  await deps.store.putText(runId, 'validation-report.md', renderRunReport(report), 'text/markdown');

  const endedAt = now().toISOString();
  const createdAt = plan.action === 'replace' ? plan.createdAt : startedAt;
  const run = buildRunRecord({ runId, dataset, report, inputs, options, createdAt, startedAt, endedAt });
  // The claim: of concurrent intakes of the same drop, exactly one write wins and goes on.
  if (!(await deps.store.create(run, plan.action === 'replace' ? { etag: plan.etag } : undefined))) {
    deps.log(`${blobName}: run ${runId} was created by another delivery of the same event; nothing more to do.`);
    return { outcome: 'duplicate', runId, reported: false };
  }

  if (!report.valid) {
    deps.log(`${blobName}: rejected as run ${runId} (${run.validation?.errorCount} error(s)); see ${deps.config.runsContainer}/${runId}/validation-report.md.`);
    await publish(runEvent(run, 'run.rejected', endedAt, { errors: run.validation?.errors ?? [], report: `${runId}/validation-report.md` }), publishDeps(deps));
    return { outcome: 'rejected', runId };
  }
  if (await deps.orchestrationExists(runId)) return { outcome: 'duplicate', runId, reported: false };
  await deps.startOrchestration(runId, run);
  deps.log(`${blobName}: valid; run ${runId} started${plan.action === 'replace' ? ` (${plan.why})` : ''}.`);
  return { outcome: 'started', runId };
}

async function recordedDeployments(deps: IntakeDeps): Promise<Awaited<ReturnType<typeof listDeployments>>> {
  try {
    return await listDeployments(deps.storage.runs, (blob, problem) => deps.log(`ignoring deployment record ${blob}: ${problem}`));
  } catch (error) {
    if (isNotFound(error)) return []; // no runs container yet
    throw error;
  }
}

/** run.json under the run id — or, for data dropped before ids carried a name hash, under the old id. */
async function existingRun(runId: string, dataset: string, contents: RunContents, deps: IntakeDeps): Promise<ExistingRun | undefined> {
  const withId = async (id: string): Promise<ExistingRun | undefined> => {
    const found = await deps.store.read(id);
    if (!found || found.run.dataset !== dataset) return undefined;
    return { ...found, orchestrationExists: found.run.status === 'validating' ? await deps.orchestrationExists(id) : true };
  };
  return (await withId(runId)) ?? (await withId(legacyRunId(dataset, contents)));
}

async function duplicate(blobName: string, etag: string, plan: Extract<ReturnType<typeof planRun>, { action: 'duplicate' }>, deps: IntakeDeps, now: () => Date): Promise<IntakeOutcome> {
  deps.log(`${blobName}: ${plan.why}; nothing new to do.`);
  if (!plan.reupload) return { outcome: 'duplicate', runId: plan.runId, reported: false };
  const reason = `the same data as run ${plan.runId} was uploaded again; no new run (change the data or ${blobName.replace(/\.jsonl$/, OPTIONS_SUFFIX)} to train again)`;
  await publish(dropEvent(blobName, etag, now().toISOString(), { code: 'same_contents', reason, runId: plan.runId }), publishDeps(deps));
  return { outcome: 'duplicate', runId: plan.runId, reported: true };
}
