/**
 * How `ftpipe` talks to a running app: `--app <url>` (default: $FTPIPE_APP_URL, else `npm start`'s
 * http://127.0.0.1:7071) and, for Azure, a function key read from an environment variable
 * (`--key-env`, default FTPIPE_FUNCTION_KEY) — never from the command line, where it would land in
 * shell history and process lists.
 */
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { RunRecord } from '../runs/run-record.js';
import { listAllRuns, type RunListPage } from '../runs/run-list-pages.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_APP_URL = 'http://127.0.0.1:7071';
export const DEFAULT_KEY_ENV = 'FTPIPE_FUNCTION_KEY';

export interface RemoteOptions {
  app?: string;
  keyEnv?: string;
}

export type RunView = RunRecord & {
  orchestration: { runtimeStatus: string; customStatus: Record<string, unknown> | null; lastUpdatedTime: string } | null;
};

/** An answer from the app that is not a success: status and the app's own message. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The API's error code (`{"error": {"code"}}`), when it sent one: what a caller can act on. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export interface UploadedDataset {
  dataset: string;
  container: string;
  files: Array<{ role: string; blob: string; bytes: number; sha256: string }>;
}

export class AppClient {
  readonly baseUrl: string;
  readonly key: string | undefined;

  constructor(options: RemoteOptions, env: Readonly<Record<string, string | undefined>> = process.env) {
    const raw = options.app ?? env['FTPIPE_APP_URL'] ?? DEFAULT_APP_URL;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(`--app: '${raw}' is not a URL (expected e.g. https://<app>.azurewebsites.net)`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '').replace(/\/api$/, '');
    this.key = env[options.keyEnv ?? DEFAULT_KEY_ENV] || undefined;
  }

  get headers(): Record<string, string> {
    return this.key ? { 'x-functions-key': this.key } : {};
  }

  async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api${path}`, { ...init, headers: { ...this.headers, ...(init.headers as Record<string, string> | undefined) } });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new AppError(0, `cannot reach the app at ${this.baseUrl} (${cause}); is \`npm start\` running, or pass --app <url>`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text.trim() || response.statusText;
      let code: string | undefined;
      try {
        const body = JSON.parse(text) as { error?: { message?: string; code?: string } | string };
        message = (typeof body.error === 'string' ? body.error : body.error?.message) ?? message;
        if (typeof body.error === 'object' && typeof body.error.code === 'string') code = body.error.code;
      } catch {
        // not JSON
      }
      if (response.status === 401) message = `unauthorized: set ${DEFAULT_KEY_ENV} (or the variable --key-env names) to a function key of the app`;
      throw new AppError(response.status, `${init.method ?? 'GET'} /api${path}: ${response.status} ${message}`, code);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every run, newest first (the shared paging rules; a CLI may read a long history). */
  listRuns(dataset?: string): Promise<RunRecord[]> {
    return listAllRuns((path) => this.request<RunListPage>(path), dataset, 1000);
  }

  getRun(runId: string): Promise<RunView> {
    return this.request(`/runs/${encodeURIComponent(runId)}`);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request(path, { method: 'POST', ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  }

  /** POST /api/datasets with the files streamed from disk (no storage credentials needed). */
  async upload(name: string | undefined, files: Record<string, string | undefined>): Promise<UploadedDataset> {
    const form = new FormData();
    if (name) form.set('name', name);
    for (const [role, file] of Object.entries(files)) {
      if (!file) continue;
      try {
        await stat(file);
      } catch {
        throw new UsageError(`cannot read ${role} file '${file}'`);
      }
      form.set(role, await openAsBlob(file), file.split(/[\\/]/).pop());
    }
    return this.request('/datasets', { method: 'POST', body: form });
  }
}
