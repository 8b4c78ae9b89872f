/**
 * `ftpipe drop | runs | run | watch | cancel | retry`: the run API from a terminal.
 * Output is for people by default and JSON with `--json`; exit statuses are documented in the
 * README (EXIT below) so scripts and CI can act on how a run ended.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import { datasetNameProblem } from '../runs/dataset-name.js';
import { parseRunOptions } from '../runs/run-options.js';
import type { RunRecord } from '../runs/run-record.js';
import { AppClient, type RemoteOptions, type RunView } from './app-client.js';
import { UsageError } from './usage-error.js';

/**
 * How a watched run ended, as the process exit status. 2 stays "usage or connection error";
 * 7 is a promote or rollback the app refused as the alias stands (alias-commands.ts).
 */
export const EXIT = { succeeded: 0, rejected: 1, usage: 2, failed: 3, cancelled: 4, not_promoted: 5, timeout: 6, refused: 7 } as const;
const FINAL = ['rejected', 'succeeded', 'failed', 'cancelled', 'not_promoted'];

type Out = (line: string) => void;
const out: Out = (line) => process.stdout.write(`${line}\n`);

export interface WatchOptions extends RemoteOptions {
  interval?: number;
  timeout?: number;
  json?: boolean;
}

export function exitFor(status: string): number {
  return status in EXIT ? EXIT[status as keyof typeof EXIT] : EXIT.failed;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function progressOf(run: RunRecord): string {
  if (run.job?.step !== undefined && run.job.totalSteps) return `step ${run.job.step}/${run.job.totalSteps}`;
  if (run.validation && !run.validation.valid) return `${run.validation.errorCount} error(s)`;
  return '';
}

export async function runsCommand(options: RemoteOptions & { dataset?: string; json?: boolean }): Promise<number> {
  const runs = await new AppClient(options).listRuns(options.dataset);
  if (options.json) {
    out(JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) {
    out(options.dataset ? `No runs of ${options.dataset}.` : 'No runs yet. Start one with: ftpipe drop <train.jsonl>');
    return 0;
  }
  out(table([['RUN', 'DATASET', 'STATUS', 'PROGRESS', 'CREATED'], ...runs.map((r) => [r.runId, r.dataset, r.status, progressOf(r), r.createdAt])]));
  return 0;
}

interface ReportFinding {
  line: number | null;
  code: string;
  field?: string;
  message: string;
}

/** Status, timeline, findings (from the full report when the run has one), job, deployment, error. */
export async function runCommand(runId: string, options: RemoteOptions & { json?: boolean }): Promise<number> {
  const client = new AppClient(options);
  const run = await client.getRun(runId);
  if (options.json) {
    out(JSON.stringify(run, null, 2));
    return 0;
  }
  out(`${run.runId}  ${run.dataset}  ${run.status.toUpperCase()}${(run.attempt ?? 1) > 1 ? `  (attempt ${run.attempt})` : ''}`);
  for (const [phase, times] of Object.entries(run.phases)) if (times) out(`  ${phase.padEnd(12)} ${times.startedAt}${times.endedAt && times.endedAt !== times.startedAt ? ` → ${times.endedAt}` : ''}`);
  if (run.validation) {
    const v = run.validation;
    out(`validation: ${v.valid ? 'valid' : 'INVALID'}, ${v.errorCount} error(s), ${v.warningCount} warning(s); ${v.trainingTokens} training tokens, ~${v.estimatedBilledTokens} billed`);
    let findings: Array<ReportFinding & { file: string }> = v.errors.map((e) => ({ ...e, line: e.line, file: e.message.split(':')[0] ?? '' }));
    if (run.artifacts.includes('validation-report.json')) {
      const report = await client.request<{ files: Array<{ role: string; errors: ReportFinding[]; warnings: ReportFinding[] }>; options?: { errors: ReportFinding[] } }>(
        `/runs/${encodeURIComponent(runId)}/artifacts/validation-report.json`,
      );
      findings = [
        ...(report.options?.errors ?? []).map((e) => ({ ...e, file: 'options' })),
        ...report.files.flatMap((f) => [...f.errors, ...f.warnings].map((e) => ({ ...e, file: f.role }))),
      ];
    }
    for (const f of findings) out(`  ${f.file}${f.line !== null ? `:${f.line}` : ''}  ${f.code}${f.field ? `  ${f.field}` : ''}  ${f.message}`);
  }
  if (run.job?.id) {
    const step = run.job.step !== undefined ? `, step ${run.job.step}/${run.job.totalSteps ?? '?'}` : '';
    const loss = run.job.trainLoss !== undefined ? `, loss ${run.job.trainLoss.toFixed(4)}` : '';
    out(`job: ${run.job.id} ${run.job.status}${step}${loss}${run.job.fineTunedModel ? ` → ${run.job.fineTunedModel}` : ''}`);
  }
  if (run.deployment) out(`deployment: ${run.deployment.name} (${run.deployment.model}); chat: ftpipe chat ${run.dataset}`);
  if (run.error) out(`error: ${run.error.code}: ${run.error.message}`);
  const artifacts = run.artifacts.filter((a) => !a.includes('/'));
  if (artifacts.length > 0) out(`artifacts: ${artifacts.map((a) => `${client.baseUrl}/api/runs/${run.runId}/artifacts/${a}`).join('\n           ')}`);
  return 0;
}

/** Follows a run until it ends: a progress bar on a terminal, one line per change otherwise. */
export async function watchCommand(runId: string, options: WatchOptions): Promise<number> {
  const client = new AppClient(options);
  const intervalMs = Math.max(0.2, options.interval ?? 2) * 1000;
  const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Infinity;
  const tty = Boolean(process.stderr.isTTY);
  const bar = tty
    ? new SingleBar(
        { format: '{phase} |{bar}| {value}/{total} steps | loss {loss} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, stream: process.stderr, etaBuffer: 20 },
        Presets.shades_classic,
      )
    : undefined;
  let barStarted = false;
  let last = '';
  let run: RunView;
  for (;;) {
    run = await client.getRun(runId);
    const custom = (run.orchestration?.customStatus ?? {}) as { step?: number; totalSteps?: number; trainLoss?: number };
    const step = run.job?.step ?? custom.step;
    const total = run.job?.totalSteps ?? custom.totalSteps;
    const loss = run.job?.trainLoss ?? custom.trainLoss;
    const phase = run.status;
    if (bar && total) {
      if (!barStarted) bar.start(total, step ?? 0, { phase, loss: '–' });
      barStarted = true;
      bar.setTotal(total);
      bar.update(step ?? 0, { phase, loss: loss !== undefined ? loss.toFixed(4) : '–' });
    }
    const line = `${phase}${step !== undefined && total ? ` step ${step}/${total}` : ''}${loss !== undefined ? ` loss ${loss.toFixed(4)}` : ''}${run.job?.estimatedFinish && phase === 'training' ? ` eta ${run.job.estimatedFinish}` : ''}`;
    if (line !== last && !bar) process.stderr.write(`${line}\n`);
    else if (line !== last && bar && !barStarted) process.stderr.write(`${phase}…\n`);
    last = line;
    if (FINAL.includes(run.status)) break;
    if (Date.now() > deadline) {
      bar?.stop();
      process.stderr.write(`ftpipe: run ${runId} is still ${run.status} after ${options.timeout} s (stopped watching; the run goes on)\n`);
      return EXIT.timeout;
    }
    await sleep(intervalMs);
  }
  if (barStarted) bar?.stop();
  if (options.json) out(JSON.stringify(run, null, 2));
  else out(outcomeLine(run));
  return exitFor(run.status);
}

export function outcomeLine(run: RunRecord): string {
  switch (run.status) {
    case 'succeeded':
      return `run ${run.runId} succeeded: ${run.job?.fineTunedModel ?? 'model'} deployed as ${run.deployment?.name ?? '?'}. Try it: ftpipe chat ${run.dataset}`;
    case 'rejected':
      return `run ${run.runId} rejected: ${run.validation?.errorCount ?? '?'} validation error(s). Details: ftpipe run ${run.runId}`;
    case 'cancelled':
      return `run ${run.runId} cancelled. Start it again: ftpipe retry ${run.runId}`;
    default:
      return `run ${run.runId} ${run.status}${run.error ? `: ${run.error.code}: ${run.error.message}` : ''}. Start it again: ftpipe retry ${run.runId}`;
  }
}

export async function cancelCommand(runId: string, options: RemoteOptions): Promise<number> {
  await new AppClient(options).post(`/runs/${encodeURIComponent(runId)}/cancel`);
  out(`cancel requested for run ${runId}; follow it with: ftpipe watch ${runId}`);
  return 0;
}

export async function retryCommand(runId: string, options: WatchOptions & { watch?: boolean }): Promise<number> {
  const result = await new AppClient(options).post<{ attempt: number }>(`/runs/${encodeURIComponent(runId)}/retry`);
  out(`run ${runId}: attempt ${result.attempt} started`);
  return options.watch ? watchCommand(runId, options) : 0;
}

export interface DropOptions extends WatchOptions {
  validation?: string;
  eval?: string;
  options?: string;
  name?: string;
  watch?: boolean;
}

/** Uploads through the app (POST /api/datasets), then finds the run its bytes started. */
export async function dropCommand(training: string, options: DropOptions): Promise<number> {
  const name = options.name ?? training.split(/[\\/]/).pop()!.replace(/\.jsonl$/i, '');
  const nameProblem = datasetNameProblem(name);
  if (nameProblem) throw new UsageError(`${nameProblem} (choose one with --name)`);
  if (options.options) {
    // The same strict parser the pipeline runs, so a typo fails here and not after an upload.
    const text = await readFile(options.options, 'utf8').catch(() => {
      throw new UsageError(`cannot read options file '${options.options}'`);
    });
    const parsed = parseRunOptions(text, name, { fineTuning: { baseModel: 'gpt-4o-mini-2024-07-18' }, deployment: { sku: 'Standard', capacity: 1 } });
    if (!parsed.ok) {
      for (const p of parsed.problems) process.stderr.write(`${options.options}: ${p.field || '(file)'}: ${p.message}\n`);
      return EXIT.rejected;
    }
  }
  const client = new AppClient(options);
  const uploaded = await client.upload(name, { training, validation: options.validation, eval: options.eval, options: options.options });
  out(`uploaded ${uploaded.files.map((f) => `${uploaded.container}/${f.blob}`).join(', ')}`);
  const sha = uploaded.files.find((f) => f.role === 'training')?.sha256;
  const waitUntil = Date.now() + 60_000;
  let run: RunRecord | undefined;
  while (!run && Date.now() < waitUntil) {
    run = (await client.listRuns(uploaded.dataset)).find((r) => r.dataset === uploaded.dataset && r.inputs.training.sha256 === sha);
    if (!run) await sleep(500);
  }
  if (!run) {
    process.stderr.write(`ftpipe: no run has started from this upload after 60 s; see: ftpipe runs --dataset ${uploaded.dataset}\n`);
    return EXIT.timeout;
  }
  out(`run ${run.runId} (${run.status})`);
  if (options.watch) return watchCommand(run.runId, options);
  return run.status === 'rejected' ? EXIT.rejected : 0;
}
