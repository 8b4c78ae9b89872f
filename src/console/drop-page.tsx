/**
 * Upload a dataset through the app (POST /api/datasets): training file, and optionally validation,
 * evaluation and options files. The options file is checked here, in the browser, with the same
 * parser the pipeline uses, so a typo is caught before anything is uploaded.
 */
import { useState } from 'preact/hooks';
import type { RunRecord } from '../runs/run-record.js';
import { parseRunOptions, type OptionsProblem } from '../runs/run-options.js';
import { datasetNameProblem } from '../runs/dataset-name.js';
import { ApiError, apiUrl, authHeaders, listRuns } from './api.js';

/** Defaults only matter for resolving; problems are the same whatever the app's settings are. */
const CHECK_DEFAULTS = { fineTuning: { baseModel: 'gpt-4o-mini-2024-07-18' }, deployment: { sku: 'Standard' as const, capacity: 1 } };

interface Uploaded {
  dataset: string;
  files: Array<{ role: string; blob: string; bytes: number; sha256: string }>;
}

export function DropPage() {
  const [name, setName] = useState('');
  const [files, setFiles] = useState<Record<string, File | undefined>>({});
  const [optionProblems, setOptionProblems] = useState<OptionsProblem[]>([]);
  const [state, setState] = useState<{ busy?: string; error?: string; done?: string }>({});

  const pick = async (role: string, file: File | undefined): Promise<void> => {
    setFiles((f) => ({ ...f, [role]: file }));
    if (role === 'training' && file && !name) setName(file.name.replace(/\.jsonl$/i, ''));
    if (role === 'options') {
      const parsed = file ? parseRunOptions(await file.text(), name || 'dataset', CHECK_DEFAULTS) : undefined;
      setOptionProblems(parsed && !parsed.ok ? parsed.problems : []);
    }
  };
  const nameProblem = name ? datasetNameProblem(name) : undefined;
  const ready = Boolean(files['training']) && name !== '' && !nameProblem && optionProblems.length === 0 && !state.busy;

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!ready) return;
    const form = new FormData();
    form.set('name', name);
    for (const [role, file] of Object.entries(files)) if (file) form.set(role, file, file.name);
    setState({ busy: 'Uploading…' });
    try {
      const response = await fetch(apiUrl('/datasets'), { method: 'POST', body: form, headers: authHeaders() });
      const body = (await response.json().catch(() => ({}))) as Uploaded & { error?: { message?: string } };
      if (!response.ok) throw new ApiError(response.status, response.status === 401 ? 'Unauthorized: set the function key under Settings.' : (body.error?.message ?? response.statusText));
      const sha = body.files.find((f) => f.role === 'training')?.sha256;
      setState({ busy: `Uploaded ${body.files.map((f) => f.blob).join(', ')}. Waiting for the run to start…` });
      const run = await untilRunOf(body.dataset, sha);
      if (run) location.hash = `#/runs/${run.runId}`;
      else setState({ done: `Uploaded. The run has not appeared yet; see the runs list.` });
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };

  const fileInput = (role: string, label: string, accept: string, hint: string) => (
    <div class="field">
      <label for={`file-${role}`}>{label}</label>
      <input id={`file-${role}`} name={role} type="file" accept={accept} onChange={(e) => void pick(role, e.currentTarget.files?.[0])} aria-describedby={`hint-${role}`} />
      <small id={`hint-${role}`} class="muted">
        {hint}
      </small>
    </div>
  );

  return (
    <section aria-labelledby="drop-title">
      <h1 id="drop-title">New run</h1>
      <p>
        Uploads through the app into the drop zone; the training file goes last and starts the run. Files already there under the same name are
        replaced.
      </p>
      <form onSubmit={(e) => void submit(e)} class="card">
        {fileInput('training', 'Training file (required)', '.jsonl', 'Chat-format JSONL, one example per line.')}
        <div class="field">
          <label for="dataset-name">Dataset name (the alias)</label>
          <input id="dataset-name" name="name" value={name} onInput={(e) => setName(e.currentTarget.value.trim())} aria-invalid={Boolean(nameProblem)} required />
          {nameProblem && <small class="error">{nameProblem}</small>}
        </div>
        {fileInput('validation', 'Validation file', '.jsonl', 'Optional: reported as validation loss.')}
        {fileInput('eval', 'Evaluation file', '.jsonl', 'Optional: held-out prompts with reference answers for the evaluation gate.')}
        {fileInput('options', 'Options', '.json', 'Optional: baseModel, suffix, seed, hyperparameters, trainingType, deployment.')}
        {optionProblems.length > 0 && (
          <div class="error options-problems" role="alert">
            <p>The options file has problems; fix them before uploading:</p>
            <ul>
              {optionProblems.map((p) => (
                <li>
                  {p.field ? <code>{p.field}</code> : 'file'}: {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <button type="submit" class="primary" disabled={!ready}>
          Upload and start
        </button>
        {state.busy && <p aria-live="polite">{state.busy}</p>}
        {state.done && <p role="status">{state.done}</p>}
        {state.error && (
          <p class="error" role="alert">
            {state.error}
          </p>
        )}
      </form>
    </section>
  );
}

/** The run the blob trigger made of this upload: same dataset, same training bytes, newest. */
async function untilRunOf(dataset: string, sha: string | undefined, timeoutMs = 60_000): Promise<RunRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = await listRuns(dataset);
    const match = runs.find((r) => r.dataset === dataset && (!sha || r.inputs.training.sha256 === sha));
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return undefined;
}
