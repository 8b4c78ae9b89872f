/**
 * Every alias the chat endpoint answers to: what it serves now and what it served before (kept for
 * an instant rollback until its grace period ends), with scores, since when, last use and hosting
 * so far, as GET /api/aliases reports them; and the two ways to switch it: promote a run of the
 * alias that kept its deployment, or roll back to the previous deployment.
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { AliasRecord } from '../aliases/alias-record.js';
import type { AliasListing, AliasTargetView, AliasView } from '../aliases/alias-view.js';
import { winnerScores } from '../evaluation/evaluation-result.js';
import type { RunRecord } from '../runs/run-record.js';
import { api, listRuns, post } from './api.js';
import { number, StatusBadge, when } from './format.js';
import { ActionStatus, useAction, usePolling } from './hooks.js';

/** Runs a person may promote: they ended with a model the evaluation did not (or could not) put live. */
const PROMOTABLE = ['succeeded', 'not_promoted'];

export function AliasesPage() {
  // The runs only fill the Promote lists: they are listed again when the deployments (and so the
  // promotable runs) change, not on every 5-second refresh of the aliases.
  const runsFor = useRef<{ key: string; runs: RunRecord[] } | undefined>(undefined);
  const data = usePolling(async () => {
    const listing = await api<AliasListing>('/aliases');
    const key = listing.deployments.map((d) => `${d.runId}:${d.deployment}:${d.state}`).sort().join(',');
    if (runsFor.current?.key !== key) runsFor.current = { key, runs: await listRuns() };
    return { listing, runs: runsFor.current.runs };
  }, 5000, []);
  return (
    <section aria-labelledby="aliases-title">
      <h1 id="aliases-title">Aliases</h1>
      <p class="muted">
        An alias is the <code>model</code> name clients send; it points at one deployment. Promoting keeps the one it replaces for{' '}
        {data.data ? duration(data.data.listing.graceSeconds) : 'the grace period'}, so a rollback is instant.
      </p>
      {data.error && <p class="error" role="alert">{data.error}</p>}
      {!data.data && !data.error && <p aria-busy="true">Loading aliases…</p>}
      {data.data && data.data.listing.aliases.length === 0 && (
        <p class="empty">
          No aliases yet: a run that succeeds puts its model behind one. <a href="#/drop">Start a run</a>.
        </p>
      )}
      {data.data?.listing.aliases.map((a) => (
        <AliasCard key={a.alias} alias={a} listing={data.data!.listing} runs={data.data!.runs} onChange={data.refresh} />
      ))}
    </section>
  );
}

function duration(seconds: number): string {
  if (seconds < 120) return `${number(seconds)} s`;
  if (seconds < 7200) return `${number(seconds / 60)} min`;
  return `${number(seconds / 3600, 1)} h`;
}

/** Hosting hours; a deployment minutes old reads "< 0.1 h", not a misleading "0 h". */
function hours(h: number): string {
  return h > 0 && h < 0.1 ? '< 0.1 h' : `${number(h, 1)} h`;
}

function cost(c: { amount: number | null; currency: string }): string {
  return c.amount === null ? 'no price' : `${c.amount.toFixed(2)} ${c.currency}`;
}

function Scores({ scores }: { scores: AliasTargetView['scores'] }) {
  const entries = Object.entries(scores ?? {});
  if (entries.length === 0) return <span class="muted">not evaluated</span>;
  return <>{entries.map(([metric, value]) => `${metric} ${typeof value === 'number' ? value.toFixed(3) : '–'}`).join(' · ')}</>;
}

function Target({ title, target, extra }: { title: string; target: AliasTargetView; extra?: ComponentChildren }) {
  return (
    <div class="target" data-deployment={target.deployment}>
      <h3>{title}</h3>
      <dl>
        <dt>Deployment</dt>
        <dd class="mono">{target.deployment}</dd>
        <dt>Model</dt>
        <dd class="mono">{target.model}</dd>
        <dt>Run</dt>
        <dd class="mono">
          <a href={`#/runs/${encodeURIComponent(target.runId)}`}>{target.runId}</a>
        </dd>
        <dt>Scores</dt>
        <dd>
          <Scores scores={target.scores} />
        </dd>
        <dt>Since</dt>
        <dd>{when(target.since)}</dd>
        <dt>Last used</dt>
        <dd>{target.lastUsedAt ? when(target.lastUsedAt) : 'never'}</dd>
        <dt>Hosting so far</dt>
        <dd>
          {hours(target.hostingHours)} · {cost(target.hostingCost)}
        </dd>
        {extra}
      </dl>
    </div>
  );
}

/** Runs of this alias whose deployment is still there and not already what the alias serves. */
function promotable(alias: AliasView, listing: AliasListing, runs: readonly RunRecord[]): RunRecord[] {
  const live = new Set(listing.deployments.filter((d) => d.alias === alias.alias && d.state !== 'deleted' && d.state !== 'current').map((d) => d.runId));
  return runs.filter((r) => live.has(r.runId) && PROMOTABLE.includes(r.status) && r.runId !== alias.current.runId);
}

/** The run's score on its promotion metric, to choose between candidates. */
function metricOf(run: RunRecord): string {
  const e = run.evaluation;
  // The contender the run went on with: a checkpoint that beat its final model, else the final model.
  const score = e ? winnerScores(e)?.[e.metric] : undefined;
  return e && typeof score === 'number' ? ` · ${e.metric} ${score.toFixed(3)}` : '';
}

function AliasCard({ alias, listing, runs, onChange }: { alias: AliasView; listing: AliasListing; runs: readonly RunRecord[]; onChange: () => void }) {
  const candidates = promotable(alias, listing, runs);
  const [chosen, setChosen] = useState('');
  const id = `alias-${alias.alias.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const runToPromote = candidates.some((r) => r.runId === chosen) ? chosen : (candidates[0]?.runId ?? '');
  const action = useAction(onChange);
  const busy = action.busy;
  const act = (label: string, path: string, body?: unknown): Promise<void> =>
    action.run(label, async () => {
      const record = await post<AliasRecord>(path, body);
      // Say what changed: the user just moved live traffic.
      return `${alias.alias} now serves ${record.current.deploymentName} (run ${record.current.runId})${record.previous ? `; ${record.previous.deploymentName} kept until ${when(record.previous.deleteAfter)}` : ''}.`;
    });
  const base = `/aliases/${encodeURIComponent(alias.alias)}`;
  return (
    <article class="alias card" aria-labelledby={`${id}-title`} data-alias={alias.alias} data-current-run={alias.current.runId}>
      <header class="alias-header">
        <h2 id={`${id}-title`}>
          <code>{alias.alias}</code>
        </h2>
        <a href={`#/chat?model=${encodeURIComponent(alias.alias)}`}>Try it in the playground</a>
      </header>
      <p class="muted">
        Last used {alias.lastUsedAt ? when(alias.lastUsedAt) : 'never'} · all its deployments: {hours(alias.hosting.hours)} hosted, {cost(alias.hosting.cost)}
      </p>
      <div class="targets">
        <Target title="Current" target={alias.current} />
        {alias.previous ? (
          <Target
            title="Previous"
            target={alias.previous}
            extra={
              <>
                <dt>Kept until</dt>
                <dd>{when(alias.previous.deleteAfter)}</dd>
              </>
            }
          />
        ) : (
          <div class="target">
            <h3>Previous</h3>
            <p class="muted" id={`${id}-no-previous`}>
              None: nothing to roll back to.
            </p>
          </div>
        )}
      </div>
      <div class="alias-actions">
        <button
          type="button"
          disabled={Boolean(busy) || !alias.previous}
          aria-describedby={alias.previous ? undefined : `${id}-no-previous`}
          onClick={() => void act('Roll back', `${base}/rollback`)}
        >
          Roll back{alias.previous ? ` to ${alias.previous.runId}` : ''}
        </button>
        <form
          class="promote"
          onSubmit={(e) => {
            e.preventDefault();
            if (runToPromote) void act('Promote', `${base}/promote`, { runId: runToPromote });
          }}
        >
          <label>
            Promote run
            <select name="run" value={runToPromote} disabled={candidates.length === 0} onChange={(e) => setChosen(e.currentTarget.value)}>
              {candidates.length === 0 && <option value="">no other run of this alias kept its deployment</option>}
              {candidates.map((r) => (
                <option value={r.runId}>
                  {r.runId} · {r.status.replace('_', ' ')} · {when(r.createdAt)}
                  {metricOf(r)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={Boolean(busy) || !runToPromote}>
            Promote
          </button>
        </form>
      </div>
      <ActionStatus action={action} />
      {alias.history.length > 0 && (
        <details>
          <summary>History ({alias.history.length})</summary>
          <ol class="alias-history">
            {[...alias.history].reverse().map((h) => (
              <li>
                <StatusBadge status={h.action === 'promote' ? 'promoted' : 'rolled_back'} /> <span class="muted">{when(h.at)}</span> → <span class="mono">{h.deploymentName}</span> (run{' '}
                <a href={`#/runs/${encodeURIComponent(h.runId)}`}>{h.runId}</a>){h.from && <> from <span class="mono">{h.from}</span></>} · {h.reason}
              </li>
            ))}
          </ol>
        </details>
      )}
    </article>
  );
}
