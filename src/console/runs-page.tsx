import { useState } from 'preact/hooks';
import { listRuns } from './api.js';
import { duration, StatusBadge, when } from './format.js';
import { usePolling } from './hooks.js';

const STATUS_FILTERS = ['all', 'active', 'succeeded', 'failed', 'cancelled', 'rejected'] as const;

/** Every run, newest first, refreshed every few seconds; filter by dataset and status. */
export function RunsPage() {
  const [dataset, setDataset] = useState(new URLSearchParams(location.hash.split('?')[1] ?? '').get('dataset') ?? '');
  const [status, setStatus] = useState<(typeof STATUS_FILTERS)[number]>('all');
  const runs = usePolling(() => listRuns(), 3000, []);
  const shown = (runs.data ?? []).filter(
    (r) =>
      (dataset === '' || r.dataset.toLowerCase().includes(dataset.toLowerCase())) &&
      (status === 'all' ||
        (status === 'active' ? !['rejected', 'succeeded', 'failed', 'cancelled', 'not_promoted'].includes(r.status) : r.status === status)),
  );
  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <div class="filters" role="search">
        <label>
          Dataset
          <input type="search" value={dataset} onInput={(e) => setDataset(e.currentTarget.value)} placeholder="any" name="dataset" />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as (typeof STATUS_FILTERS)[number])} name="status">
            {STATUS_FILTERS.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <a class="button primary" href="#/drop">
          New run
        </a>
      </div>
      {runs.error && <p class="error" role="alert">{runs.error}</p>}
      {runs.data && shown.length === 0 && (
        <p class="empty">
          {runs.data.length === 0 ? (
            <>
              No runs yet. <a href="#/drop">Upload a dataset</a>, or drop a <code>.jsonl</code> file into the datasets container.
            </>
          ) : (
            'No run matches these filters.'
          )}
        </p>
      )}
      {shown.length > 0 && (
        <table class="runs">
          <thead>
            <tr>
              <th scope="col">Dataset</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Started</th>
              <th scope="col">Took</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.runId} data-run-id={r.runId}>
                <td data-label="Dataset">
                  <a href={`#/runs/${r.runId}`}>{r.dataset}</a>
                  <div class="muted mono">{r.runId}</div>
                </td>
                <td data-label="Status">
                  <StatusBadge status={r.status} />
                  {(r.attempt ?? 1) > 1 && <span class="muted"> attempt {r.attempt}</span>}
                </td>
                <td data-label="Progress">
                  {r.job?.step !== undefined && r.job.totalSteps ? (
                    <progress max={r.job.totalSteps} value={r.job.step} aria-label={`step ${r.job.step} of ${r.job.totalSteps}`} />
                  ) : r.validation && !r.validation.valid ? (
                    `${r.validation.errorCount} error(s)`
                  ) : (
                    ''
                  )}
                </td>
                <td data-label="Started">{when(r.createdAt)}</td>
                <td data-label="Took">{duration(r.createdAt, ['rejected', 'succeeded', 'failed', 'cancelled'].includes(r.status) ? r.updatedAt : undefined)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
