/**
 * `GET /api/v1/models`: the names the chat endpoint answers to, in OpenAI's list format
 * (`{ object: "list", data: [{ id, object: "model", created, owned_by }] }`), so `openai.models.list()`
 * and tools that pick a model from that list work against the app. Aliases (dataset names) first,
 * then deployment names; the same registry the chat endpoint resolves through, so every listed id
 * is one a chat request accepts. Same auth as chat completions.
 */
import { app, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { appConfig } from '../config.js';
import { createStorageClients } from '../azure/storage.js';
import { listDeploymentsOrNone } from '../chat/registry.js';
import type { DeploymentRecord } from '../runs/deployment-registry.js';

export interface ModelEntry {
  id: string;
  object: 'model';
  /** Unix seconds: when the model behind the name was recorded. */
  created: number;
  owned_by: string;
  /** Extension fields (OpenAI clients ignore unknown fields): what the name points at. */
  kind: 'alias' | 'deployment';
  deployment: string;
  model: string;
  run_id: string;
}

/** The model list for some deployment records: one entry per alias, one per deployment. Pure. */
export function modelList(records: readonly DeploymentRecord[]): { object: 'list'; data: ModelEntry[] } {
  const entry = (id: string, kind: ModelEntry['kind'], r: DeploymentRecord): ModelEntry => ({
    id,
    object: 'model',
    created: Math.floor(Date.parse(r.updatedAt) / 1000) || 0,
    owned_by: 'finetune-pipeline',
    kind,
    deployment: r.deploymentName,
    model: r.model,
    run_id: r.runId,
  });
  const byTime = [...records].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  const aliases = new Map<string, ModelEntry>();
  // The newest record wins an alias, as the chat endpoint's lookup does.
  for (const r of byTime) if (!aliases.has(r.dataset)) aliases.set(r.dataset, entry(r.dataset, 'alias', r));
  const deployments = byTime.filter((r) => !aliases.has(r.deploymentName)).map((r) => entry(r.deploymentName, 'deployment', r));
  return { object: 'list', data: [...[...aliases.values()].sort((a, b) => a.id.localeCompare(b.id)), ...deployments] };
}

export async function listModels(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    return { status: 200, jsonBody: modelList(await listDeploymentsOrNone(createStorageClients(appConfig()).runs)) };
  } catch (error) {
    context.error(`models: could not read the deployment registry: ${(error as Error).message}`);
    return { status: 503, headers: { 'retry-after': '5' }, jsonBody: { error: { message: 'The model registry could not be read; retry shortly.', type: 'api_error', code: 'registry_unavailable', param: null } } };
  }
}

app.http('listModels', { route: 'v1/models', methods: ['GET'], authLevel: 'function', handler: listModels });
