/**
 * One run: what happened (phase timeline, validation findings, tokens and cost), what is happening
 * (live metrics, events, checkpoints while the job trains), what came of it (evaluation against the
 * champion, deployment, alias, notifications), and what can be done (cancel, retry, promote, roll back).
 */
import { useState } from 'preact/hooks';
import type { AliasListing } from '../aliases/alias-view.js';
import type { EvaluationResult } from '../evaluation/evaluation-result.js';
import type { RunValidationReport } from '../intake/report.js';
import type { MetricRow } from '../runs/training-metrics.js';
import type { Finding } from '../validation/findings.js';
import type { Summary } from '../validation/histogram.js';
import { api, apiUrl, post, type RunView } from './api.js';
import { duration, isFinalStatus, number, StatusBadge, when } from './format.js';
import { ActionStatus, useAction, usePolling } from './hooks.js';
import { FAMILIES, MetricsChart } from './metrics-chart.js';

const PHASE_ORDER = ['validating', 'rejected', 'uploading', 'training', 'deploying', 'evaluating', 'paused', 'succeeded', 'not_promoted', 'failed', 'cancelled'];

interface Training {
  job: { id: string; status: string } | null;
  metrics: MetricRow[];
  events: Array<{ createdAt: string; level: string; type: string; message: string }>;
  checkpoints: Array<{ id: string; createdAt: string; step: number; model: string; metrics: Record<string, number> }>;
  unavailable?: string;
}

export function RunPage({ runId }: { runId: string }) {
  // A few seconds more after the final status: the final notification is recorded just after it.
  const run = usePolling(() => api<RunView>(`/runs/${runId}`), 2000, [runId], (r) => !isFinalStatus(r?.status) || Date.now() - Date.parse(r?.updatedAt ?? '') < 6000);
  const status = run.data?.status;
  const hasJob = Boolean(run.data?.job?.id);
  const training = usePolling(
    () => api<Training>(`/runs/${runId}/training`),
    3000,
    [runId, hasJob, status === 'succeeded' || status === 'deploying'],
    () => hasJob && !isFinalStatus(status),
  );
  const reportName = run.data?.artifacts.includes('validation-report.json') ? 'validation-report.json' : undefined;
  const report = usePolling(
    () => (reportName ? api<RunValidationReport>(`/runs/${runId}/artifacts/${reportName}`) : Promise.resolve(undefined)),
    0,
    [runId, reportName, run.data?.attempt],
    () => false,
  );
  const hasEvaluation = run.data?.artifacts.includes('evaluation.json') ?? false;
  const evaluation = usePolling(
    () => (hasEvaluation ? api<EvaluationResult>(`/runs/${runId}/artifacts/evaluation.json`) : Promise.resolve(undefined)),
    0,
    [runId, hasEvaluation],
    () => false,
  );

  if (run.error && !run.data) return <p class="error" role="alert">{run.error}</p>;
  if (!run.data) return <p aria-busy="true">Loading run {runId}…</p>;
  const r = run.data;
  return (
    <article class="run" aria-labelledby="run-title" data-status={r.status}>
      <header class="run-header">
        <div>
          <p class="muted">
            <a href="#/">Runs</a> / <a href={`#/?dataset=${encodeURIComponent(r.dataset)}`}>{r.dataset}</a>
          </p>
          <h1 id="run-title">
            {r.dataset} <StatusBadge status={r.status} />
          </h1>
          <p class="muted mono">
            {r.runId}
            {(r.attempt ?? 1) > 1 && ` · attempt ${r.attempt}`}
          </p>
        </div>
        <Actions run={r} onDone={run.refresh} />
      </header>
      {run.error && <p class="error" role="alert">{run.error}</p>}
      {r.error && (
        <p class="error" role="alert">
          <strong>{r.error.code}</strong>: {r.error.message}
        </p>
      )}
      <Progress run={r} />
      <Timeline run={r} />
      <Validation run={r} report={report.data} />
      {hasJob && <TrainingSection training={training.data} error={training.error} />}
      {hasEvaluation && <Evaluation data={evaluation.data} />}
      <Deployment run={r} />
      <Notifications run={r} />
      <Artifacts run={r} />
    </article>
  );
}

function Actions({ run, onDone }: { run: RunView; onDone: () => void }) {
  const action = useAction(onDone);
  const busy = action.busy;
  const act = (label: string, path: string, body?: unknown) => () =>
    action.run(label, async () => {
      await post(path, body);
      return 'requested.';
    });
  const final = isFinalStatus(run.status);
  const alias = aliasOf(run);
  return (
    <div class="actions">
      <div class="buttons">
        {!final && (
          <button type="button" class="danger" disabled={Boolean(busy)} onClick={act('Cancel', `/runs/${run.runId}/cancel`)}>
            Cancel
          </button>
        )}
        {(run.status === 'failed' || run.status === 'cancelled') && (
          <button type="button" class="primary" disabled={Boolean(busy)} onClick={act('Retry', `/runs/${run.runId}/retry`)}>
            Retry
          </button>
        )}
        {run.deployment && (
          <>
            <button type="button" disabled={Boolean(busy)} onClick={act('Promote', `/aliases/${encodeURIComponent(alias)}/promote`, { runId: run.runId })}>
              Promote
            </button>
            <button type="button" disabled={Boolean(busy)} onClick={act('Roll back', `/aliases/${encodeURIComponent(alias)}/rollback`, {})}>
              Roll back
            </button>
          </>
        )}
      </div>
      <ActionStatus action={action} />
    </div>
  );
}

function Progress({ run }: { run: RunView }) {
  const custom = run.orchestration?.customStatus as { step?: number; totalSteps?: number; trainLoss?: number; eta?: string; jobStatus?: string } | null | undefined;
  const step = run.job?.step ?? custom?.step;
  const total = run.job?.totalSteps ?? custom?.totalSteps;
  if (isFinalStatus(run.status) || step === undefined || !total) return null;
  const loss = run.job?.trainLoss ?? custom?.trainLoss;
  const eta = run.job?.estimatedFinish ?? custom?.eta;
  return (
    <section class="progress card" aria-label="training progress">
      <progress max={total} value={step} />
      <p>
        step {step}/{total}
        {loss !== undefined && ` · loss ${loss.toFixed(4)}`}
        {eta && ` · finishes ${when(eta)}`}
      </p>
    </section>
  );
}

function Timeline({ run }: { run: RunView }) {
  const phases = Object.entries(run.phases)
    .filter((entry): entry is [string, { startedAt: string; endedAt?: string }] => entry[1] !== undefined)
    .sort((a, b) => (a[1].startedAt < b[1].startedAt ? -1 : a[1].startedAt > b[1].startedAt ? 1 : PHASE_ORDER.indexOf(a[0]) - PHASE_ORDER.indexOf(b[0])));
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol class="timeline">
        {phases.map(([phase, times]) => (
          <li class={`phase ${times.endedAt || isFinalStatus(phase) ? 'done' : 'current'}`} data-phase={phase}>
            <StatusBadge status={phase} />
            <span>{when(times.startedAt)}</span>
            {!isFinalStatus(phase) && <span class="muted">{duration(times.startedAt, times.endedAt)}</span>}
          </li>
        ))}
      </ol>
      {run.previousAttempts && run.previousAttempts.length > 0 && (
        <details>
          <summary>Earlier attempts ({run.previousAttempts.length})</summary>
          <ul>
            {run.previousAttempts.map((a) => (
              <li>
                attempt {a.attempt}: <StatusBadge status={a.status} /> {when(a.endedAt)}
                {a.error && ` — ${a.error.message}`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

type FileFinding = Finding & { role: string };

function Validation({ run, report }: { run: RunView; report: RunValidationReport | undefined }) {
  const v = run.validation;
  if (!v) return null;
  const findings: FileFinding[] = report
    ? [
        ...(report.options?.errors ?? []).map((e) => ({ ...e, role: 'options' }) as unknown as FileFinding),
        ...report.files.flatMap((f) => [...f.errors, ...f.warnings].map((e) => ({ ...e, role: f.role }))),
      ]
    : v.errors.map((e) => ({ ...e, role: e.message.split(':')[0] ?? 'training' }) as FileFinding);
  const estimate = report?.estimate as (Record<string, unknown> & { billedTokens?: number; epochs?: number }) | undefined;
  const cost = v.estimatedTrainingCost;
  return (
    <section aria-labelledby="validation-title">
      <h2 id="validation-title">Validation</h2>
      <p>
        {v.valid ? 'Valid' : 'Rejected'}: {v.errorCount} error(s), {v.warningCount} warning(s).{' '}
        {report && (
          <>
            Model <code>{report.model}</code>, tokenizer <code>{report.encoding}</code>.
          </>
        )}
      </p>
      <dl class="stats">
        <div>
          <dt>Training tokens</dt>
          <dd>{number(v.trainingTokens)}</dd>
        </div>
        <div>
          <dt>Estimated billed tokens</dt>
          <dd>{number(v.estimatedBilledTokens)}</dd>
        </div>
        {estimate?.epochs !== undefined && (
          <div>
            <dt>Epochs</dt>
            <dd>{estimate.epochs}</dd>
          </div>
        )}
        <div>
          <dt>Estimated cost</dt>
          <dd title={cost?.basis}>
            {cost?.amount != null ? `${cost.amount.toFixed(2)} ${cost.currency}` : <span class="muted">{cost ? `not estimated: ${cost.basis}` : 'not estimated (no price table entry)'}</span>}
          </dd>
        </div>
      </dl>
      {report && <TokenTable report={report} />}
      {findings.length > 0 && (
        <table class="findings" aria-label="validation findings">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Line</th>
              <th scope="col">Code</th>
              <th scope="col">Field</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <FindingRow runId={run.runId} finding={f} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}


function TokenTable({ report }: { report: RunValidationReport }) {
  const row = (label: string, s: Summary) => (
    <tr>
      <th scope="row">{label}</th>
      <td data-label="min">{number(s.min)}</td>
      <td data-label="p5">{number(s.p5)}</td>
      <td data-label="median">{number(s.median)}</td>
      <td data-label="mean">{number(s.mean, 1)}</td>
      <td data-label="p95">{number(s.p95)}</td>
      <td data-label="max">{number(s.max)}</td>
    </tr>
  );
  return (
    <table class="tokens" aria-label="tokens per example">
      <thead>
        <tr>
          <th scope="col">Tokens per example</th>
          <th scope="col">min</th>
          <th scope="col">p5</th>
          <th scope="col">median</th>
          <th scope="col">mean</th>
          <th scope="col">p95</th>
          <th scope="col">max</th>
        </tr>
      </thead>
      <tbody>
        {report.files.flatMap((f) => [row(`${f.role}: total (${f.examples} examples)`, f.tokens.total), row(`${f.role}: assistant`, f.tokens.assistant)])}
      </tbody>
    </table>
  );
}

/** A finding; its line links to the offending example, fetched from the run's snapshot on demand. */
function FindingRow({ runId, finding }: { runId: string; finding: FileFinding }) {
  const [example, setExample] = useState<string>();
  const [open, setOpen] = useState(false);
  const canShow = finding.line !== null && (finding.role === 'training' || finding.role === 'validation');
  const toggle = async (): Promise<void> => {
    setOpen(!open);
    if (example !== undefined || open) return;
    try {
      const body = await api<{ text: string }>(`/runs/${runId}/examples/${finding.line}?file=${finding.role}`);
      setExample(body.text);
    } catch (e) {
      setExample(`(could not load the example: ${(e as Error).message})`);
    }
  };
  const severity = /^(blank_line|missing_system_message|missing_user_message|duplicate_example|train_validation_overlap|unrecognized_example_key)$/.test(finding.code) ? 'warning' : 'error';
  return (
    <>
      <tr class={`finding ${severity}`} data-code={finding.code}>
        <td data-label="File">{finding.role}</td>
        <td data-label="Line">
          {canShow ? (
            <button type="button" class="link" aria-expanded={open} onClick={() => void toggle()}>
              line {finding.line}
            </button>
          ) : (
            (finding.line ?? '–')
          )}
        </td>
        <td data-label="Code">
          <code>{finding.code}</code>
        </td>
        <td data-label="Field">{finding.field ? <code>{finding.field}</code> : ''}</td>
        <td data-label="Message">{finding.message}</td>
      </tr>
      {open && (
        <tr class="example">
          <td colSpan={5}>
            <pre aria-label={`example on line ${finding.line}`}>{example ?? 'loading…'}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

function TrainingSection({ training, error }: { training: Training | undefined; error: string | undefined }) {
  return (
    <section aria-labelledby="training-title">
      <h2 id="training-title">Training</h2>
      {error && <p class="error">{error}</p>}
      {training?.unavailable && <p class="muted">The job's live details are unavailable: {training.unavailable}</p>}
      <div class="charts">
        {FAMILIES.map((f) => (
          <MetricsChart rows={training?.metrics ?? []} family={f} />
        ))}
      </div>
      {training && training.metrics.length === 0 && <p class="muted">No metrics yet: the job reports them once it starts training.</p>}
      {training && training.checkpoints.length > 0 && (
        <>
          <h3>Checkpoints</h3>
          <table class="checkpoints">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Model</th>
                <th scope="col">Metrics</th>
              </tr>
            </thead>
            <tbody>
              {training.checkpoints.map((c) => (
                <tr>
                  <td data-label="Step">{c.step}</td>
                  <td data-label="Model" class="mono">
                    {c.model}
                  </td>
                  <td data-label="Metrics">
                    {Object.entries(c.metrics ?? {})
                      .filter(([k]) => k !== 'step')
                      .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {training && training.events.length > 0 && (
        <details open={false}>
          <summary>Job events ({training.events.length})</summary>
          <ol class="events">
            {training.events.map((e) => (
              <li class={`event ${e.level}`}>
                <span class="muted">{when(e.createdAt)}</span> {e.message}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}

/** evaluation.json: each grader's mean score per contender side by side, the promotion metric first, and the decision. */
function Evaluation({ data }: { data: EvaluationResult | undefined }) {
  if (!data) return null;
  // Every contender in evaluation.json's order: the final model, its checkpoints (option promotion.checkpoints), champion, base.
  const roles = data.contenders.map((c) => c.role).filter((r) => data.aggregates[r] !== undefined);
  const metrics = [data.metric, ...data.graders.filter((g) => g !== data.metric)];
  const deploymentOf = (role: string): string | undefined => data.contenders.find((c) => c.role === role)?.deployment;
  return (
    <section aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">Evaluation</h2>
      <p>
        {data.set.examples} example(s) from the {data.set.kind} set. <span class="muted">{data.set.note}</span>
      </p>
      <table class="evaluation">
        <thead>
          <tr>
            <th scope="col">Grader</th>
            {roles.map((r) => (
              <th scope="col" title={deploymentOf(r)}>
                {r}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr data-metric={m}>
              <th scope="row">{m === data.metric ? `${m} (promotion metric)` : m}</th>
              {roles.map((r) => {
                const score = data.aggregates[r]?.[m];
                return <td>{typeof score === 'number' ? score.toFixed(3) : '–'}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {data.winner && (
        <p data-winner={data.winner.role}>
          <strong>Run's best contender</strong>: {data.winner.role} ({data.winner.deployment}) — {data.winner.reason}
        </p>
      )}
      <p data-decision={data.decision.promote ? 'promote' : 'keep'}>
        <strong>{data.decision.promote ? 'Promoted' : 'Not promoted'}</strong>: {data.decision.reason}
      </p>
    </section>
  );
}

/** The alias a run's model is for: the options may name one other than the dataset. */
function aliasOf(run: RunView): string {
  return run.deployment?.alias ?? run.promotion?.alias ?? run.dataset;
}

/** What the alias did with this run's deployment: the registry's history, this run's entries only. */
function AliasHistory({ run }: { run: RunView }) {
  const alias = aliasOf(run);
  // Reloaded when a notification is recorded: a promote or rollback records one on the run.
  const listing = usePolling(() => api<AliasListing>('/aliases'), 0, [run.runId, run.notifications?.length ?? 0], () => false);
  const view = listing.data?.aliases.find((a) => a.alias === alias);
  if (!view) return null;
  const mine = run.deployment?.name;
  const entries = view.history.filter((h) => h.runId === run.runId || (mine !== undefined && h.from === mine));
  const role = view.current.runId === run.runId ? 'serves this run' : view.previous?.runId === run.runId ? `previous: a rollback target until ${when(view.previous.deleteAfter)}` : `serves run ${view.current.runId}`;
  return (
    <>
      <p data-alias-role={view.current.runId === run.runId ? 'current' : view.previous?.runId === run.runId ? 'previous' : 'other'}>
        Alias <a href="#/aliases">{alias}</a> now {role}.
      </p>
      {entries.length > 0 && (
        <ol class="alias-history" aria-label="alias history of this run">
          {entries.map((h) => (
            <li data-action={h.action}>
              <span class="muted">{when(h.at)}</span>{' '}
              {h.runId === run.runId ? (h.action === 'promote' ? 'promoted to this run' : 'rolled back to this run') : `${h.action === 'promote' ? 'replaced by' : 'rolled back to'} run ${h.runId}`} · {h.reason}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function Deployment({ run }: { run: RunView }) {
  if (!run.deployment && !run.job?.fineTunedModel) return null;
  return (
    <section aria-labelledby="deployment-title">
      <h2 id="deployment-title">Model and deployment</h2>
      <dl class="stats">
        {run.job?.fineTunedModel && (
          <div>
            <dt>Fine-tuned model</dt>
            <dd class="mono">{run.job.fineTunedModel}</dd>
          </div>
        )}
        {run.deployment && (
          <>
            <div>
              <dt>Deployment</dt>
              <dd class="mono">
                {run.deployment.name} ({run.deployment.sku}, {run.deployment.capacity}K TPM)
              </dd>
            </div>
            <div>
              <dt>Alias</dt>
              <dd>
                <code>{aliasOf(run)}</code> · <a href={`#/chat?model=${encodeURIComponent(aliasOf(run))}`}>try it in the playground</a>
              </dd>
            </div>
          </>
        )}
        {run.promotion && (
          <div>
            <dt>Promotion ({run.promotion.mode})</dt>
            <dd>
              {run.promotion.promoted ? 'promoted' : run.promotion.recommended ? 'awaiting promotion (recommended)' : 'not promoted'}
              <span class="muted"> · {run.promotion.reason}</span>
            </dd>
          </div>
        )}
      </dl>
      {run.deployment && <AliasHistory run={run} />}
    </section>
  );
}

function Notifications({ run }: { run: RunView }) {
  const sent = run.notifications ?? [];
  const failures = run.notificationFailures ?? [];
  if (sent.length === 0 && failures.length === 0) return null;
  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <ul class="notifications">
        {sent.map((n) => (
          <li>
            <code>{n.type}</code> <span class="muted">{when(n.at)}</span> · queue · webhook {n.webhook}
          </li>
        ))}
        {failures
          .filter((f) => !sent.some((n) => n.id === f.event && n.webhook === 'failed'))
          .map((f) => (
            <li class="error">
              {f.event}: webhook failed ({f.error})
            </li>
          ))}
      </ul>
    </section>
  );
}

function Artifacts({ run }: { run: RunView }) {
  const served = run.artifacts.filter((a) => !a.includes('/'));
  if (served.length === 0) return null;
  return (
    <section aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      <ul class="artifacts">
        {served.map((a) => (
          <li>
            <a href={apiUrl(`/runs/${run.runId}/artifacts/${a}`)} target="_blank" rel="noopener">
              {a}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
