/**
 * What happens when a file lands in the drop zone: for `<name>.jsonl`, validate it (with its
 * companions `<name>.validation.jsonl` and `<name>.json`) by streaming the blobs, compute the run
 * id from the bytes, snapshot the inputs under `runs/<runId>/inputs/`, write the reports and
 * run.json, then either reject the run (and notify) or hand it to the orchestration. The drop
 * zone is only ever read — every download is pinned to the ETag that was validated.
 */
import { createHash } from 'node:crypto';
import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import { RestError } from '@azure/storage-blob';
import type { AppConfig } from '../config.js';
import type { StorageClients } from '../azure/storage.js';
import { runEvent } from '../notify/events.js';
import { sendToQueue, sendToWebhook } from '../notify/publish.js';
import { renderMarkdown, validateDataset, type ValidationReport } from '../validation/index.js';
import { classifyDrop, computeRunId, OPTIONS_SUFFIX, VALIDATION_SUFFIX } from './run-id.js';
import { parseRunOptions, type OptionsProblem } from './run-options.js';
import type { InputFile, RunRecord } from './run-record.js';
import { applyUpdate, runBlobName, type RunStore } from './run-store.js';

/** Options files are tiny; anything bigger is not an options file. */
const MAX_OPTIONS_BYTES = 64 * 1024;
/** Errors copied into run.json and notifications; the full list is in the report. */
const ERRORS_IN_RECORD = 20;

export interface OptionsReport {
  path: string;
  valid: boolean;
  errors: Array<{ line: null; code: 'invalid_option'; field: string; message: string }>;
}
/** The validator's report plus the options file's findings: `validation-report.json`. */
export type RunValidationReport = ValidationReport & { options?: OptionsReport };

export interface IntakeDeps {
  config: AppConfig;
  storage: StorageClients;
  store: RunStore;
  log: (line: string) => void;
  /** Whether an orchestration with this instance id exists already. */
  orchestrationExists: (runId: string) => Promise<boolean>;
  startOrchestration: (runId: string, run: RunRecord) => Promise<void>;
}

export type IntakeOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'duplicate'; runId: string }
  | { outcome: 'rejected'; runId: string }
  | { outcome: 'started'; runId: string };

interface Pinned {
  blob: BlobClient;
  name: string;
  etag: string;
  bytes: number;
}

async function pin(container: ContainerClient, name: string): Promise<Pinned | undefined> {
  const blob = container.getBlobClient(name);
  try {
    const properties = await blob.getProperties();
    return { blob, name, etag: properties.etag ?? '', bytes: properties.contentLength ?? 0 };
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}

async function stream(file: Pinned): Promise<NodeJS.ReadableStream> {
  const response = await file.blob.download(0, undefined, { conditions: { ifMatch: file.etag } });
  if (!response.readableStreamBody) throw new Error(`${file.name}: empty download`);
  return response.readableStreamBody;
}

export function optionsReport(path: string, problems: readonly OptionsProblem[]): OptionsReport {
  return {
    path,
    valid: problems.length === 0,
    errors: problems.map((p) => ({ line: null, code: 'invalid_option' as const, field: p.field, message: p.message })),
  };
}

export function renderRunReport(report: RunValidationReport): string {
  const markdown = renderMarkdown(report);
  if (!report.options) return markdown;
  const lines = [`## options: \`${report.options.path}\` (${report.options.valid ? 'valid' : `${report.options.errors.length} error(s)`})`, ''];
  if (report.options.errors.length > 0) {
    lines.push('| key | message |', '|---|---|');
    for (const e of report.options.errors) lines.push(`| \`${e.field || '(file)'}\` | ${e.message.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return `${markdown}\n${lines.join('\n')}`;
}

export async function handleDrop(blobName: string, deps: IntakeDeps): Promise<IntakeOutcome> {
  const { kind, dataset } = classifyDrop(blobName);
  if (kind !== 'training') {
    const reason = kind === 'other' ? 'not a .jsonl or .json file' : `${kind === 'options' ? 'an options' : 'a validation'} file; it is read when ${dataset}.jsonl arrives`;
    deps.log(`Ignoring ${blobName}: ${reason}.`);
    return { outcome: 'ignored', reason };
  }
  const { datasets, runs } = deps.storage;
  const createdAt = new Date().toISOString();
  const training = await pin(datasets, blobName);
  if (!training) return { outcome: 'ignored', reason: 'the blob no longer exists' };
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
  const options = parsed?.ok ? parsed.options : undefined;
  const epochs = options?.hyperparameters?.n_epochs;

  const validated = await validateDataset(
    { source: await stream(training), path: training.name },
    validation ? { source: await stream(validation), path: validation.name } : undefined,
    { model: options?.baseModel ?? deps.config.fineTuning.baseModel, ...(typeof epochs === 'number' ? { epochs } : {}) },
  );
  const report: RunValidationReport = {
    ...validated,
    valid: validated.valid && problems.length === 0,
    ...(optionsBlob ? { options: optionsReport(optionsBlob.name, problems) } : {}),
  };
  const [trainingReport, validationReport] = report.files;
  const runId = computeRunId(dataset, {
    training: trainingReport?.sha256 ?? '',
    ...(validationReport ? { validation: validationReport.sha256 } : {}),
    ...(optionsSha ? { options: optionsSha } : {}),
  });

  // The same bytes again: nothing new, unless the earlier attempt was rejected or never started.
  const existing = await deps.store.get(runId);
  if (existing && existing.status !== 'rejected' && (existing.status !== 'validating' || (await deps.orchestrationExists(runId)))) {
    deps.log(`${blobName}: same contents as run ${runId} (${existing.status}); nothing new to do.`);
    return { outcome: 'duplicate', runId };
  }

  await runs.createIfNotExists();
  const snapshot = async (file: Pinned, role: string, sha256: string): Promise<InputFile> => {
    const target = runs.getBlobClient(runBlobName(runId, `inputs/${role}${role === 'options' ? '.json' : '.jsonl'}`));
    const copy = await target.beginCopyFromURL(file.blob.url, { sourceConditions: { ifMatch: file.etag } });
    await copy.pollUntilDone();
    return { blob: file.name, snapshot: target.name, bytes: file.bytes, sha256 };
  };
  const inputs: RunRecord['inputs'] = {
    training: await snapshot(training, 'training', trainingReport?.sha256 ?? ''),
    ...(validation && validationReport ? { validation: await snapshot(validation, 'validation', validationReport.sha256) } : {}),
    ...(optionsBlob && optionsSha ? { options: await snapshot(optionsBlob, 'options', optionsSha) } : {}),
  };

  const putText = (name: string, body: string, type: string) =>
    runs.getBlockBlobClient(runBlobName(runId, name)).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: type } });
  await putText('validation-report.json', `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  await putText('validation-report.md', renderRunReport(report), 'text/markdown');

  const errors = [
    ...(report.options?.errors ?? []),
    ...report.files.flatMap((f) => f.errors.map((e) => ({ line: e.line, code: e.code, message: `${f.role}: ${e.message}`, ...(e.field ? { field: e.field } : {}) }))),
  ].slice(0, ERRORS_IN_RECORD);
  const endedAt = new Date().toISOString();
  const run: RunRecord = {
    runId,
    dataset,
    status: report.valid ? 'validating' : 'rejected',
    createdAt,
    updatedAt: endedAt,
    phases: report.valid ? { validating: { startedAt: createdAt, endedAt } } : { validating: { startedAt: createdAt, endedAt }, rejected: { startedAt: endedAt, endedAt } },
    inputs,
    ...(options ? { options } : {}),
    validation: {
      valid: report.valid,
      errorCount: report.files.reduce((n, f) => n + f.errorCount, 0) + (report.options?.errors.length ?? 0),
      warningCount: report.files.reduce((n, f) => n + f.warningCount, 0),
      errors: errors.map((e) => ({ line: e.line, code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) })),
      trainingTokens: trainingReport?.tokens.total.sum ?? 0,
      estimatedBilledTokens: report.estimate.billedTokens,
    },
    artifacts: [...Object.values(inputs).map((i) => i.snapshot.slice(runId.length + 1)), 'validation-report.json', 'validation-report.md'],
  };
  await deps.store.put(run);

  if (!report.valid) {
    deps.log(`${blobName}: rejected as run ${runId} (${run.validation?.errorCount} error(s)); see ${deps.config.runsContainer}/${runId}/validation-report.md.`);
    const event = runEvent(run, 'run.rejected', endedAt, { errors: run.validation?.errors ?? [], report: `${runId}/validation-report.md` });
    await sendToQueue(deps.storage.events, event);
    const problem = await sendToWebhook(deps.config.notify, event);
    if (problem) deps.log(`notification ${event.id}: ${problem}`);
    const webhook = problem ? 'failed' : deps.config.notify.webhookUrl ? 'delivered' : 'not configured';
    await deps.store.update(runId, (r) =>
      applyUpdate(r, {
        at: new Date().toISOString(),
        notification: { id: event.id, type: event.type, webhook },
        ...(problem ? { notificationFailure: { event: event.id, error: problem } } : {}),
      }),
    );
    return { outcome: 'rejected', runId };
  }
  if (await deps.orchestrationExists(runId)) return { outcome: 'duplicate', runId };
  await deps.startOrchestration(runId, run);
  deps.log(`${blobName}: valid; run ${runId} started.`);
  return { outcome: 'started', runId };
}
