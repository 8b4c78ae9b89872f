/**
 * The console's only way to the app: same-origin fetches of the HTTP API, with the function key
 * the user gave (Settings) in `x-functions-key`. Errors come back as ApiError with the API's message.
 */
import type { RunRecord } from '../runs/run-record.js';
import { listAllRuns, type RunListPage } from '../runs/run-list-pages.js';

const KEY_STORAGE = 'ftpipe.functionKey';

export function functionKey(): string {
  return localStorage.getItem(KEY_STORAGE) ?? '';
}

export function setFunctionKey(key: string): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The API's base path: the console is served at <base>/console/. */
export const API_BASE = new URL('..', document.baseURI).pathname.replace(/\/$/, '');

export function apiUrl(path: string): string {
  return `${API_BASE}${path}`;
}

export function authHeaders(): Record<string, string> {
  const key = functionKey();
  return key ? { 'x-functions-key': key } : {};
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  let message = text || response.statusText;
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    message = (typeof body.error === 'string' ? body.error : body.error?.message) ?? body.message ?? message;
  } catch {
    // not JSON: keep the text
  }
  if (response.status === 401) message = 'Unauthorized: set the function key under Settings.';
  return new ApiError(response.status, `${response.status}: ${message}`);
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(apiUrl(path), { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

export async function apiText(path: string): Promise<string> {
  const response = await fetch(apiUrl(path), { headers: authHeaders() });
  if (!response.ok) throw await failure(response);
  return response.text();
}

export async function post<T>(path: string, body?: unknown): Promise<T> {
  return api<T>(path, {
    method: 'POST',
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
}

/** Every run (newest first), by the shared paging rules; 50 pages bound what a browser tab holds. */
export function listRuns(dataset?: string): Promise<RunRecord[]> {
  return listAllRuns((path) => api<RunListPage>(path), dataset, 50);
}

export type RunView = RunRecord & {
  orchestration: { runtimeStatus: string; customStatus: Record<string, unknown> | null; lastUpdatedTime: string } | null;
};
