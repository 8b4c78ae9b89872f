/**
 * `GET /api/v1/models`: the names the chat endpoint answers to, in OpenAI's list format
 * (`{ object: "list", data: [{ id, object: "model", created, owned_by }] }`), so `openai.models.list()`
 * and tools that pick a model from that list work against the app. Aliases (dataset names) first,
 * then live deployment names; the same registry the chat endpoint resolves through, so every listed id
 * is one a chat request accepts. Same auth as chat completions.
 */
import { app, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getServices } from '../services.js';
import { loadRegistryOrNone } from '../chat/registry.js';
import type { Registry } from '../chat/model-catalog.js';

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

/**
 * The model list for a registry: one entry per alias (what it points at now), then one per live
 * deployment (a deployment stays callable by its own name while it exists, e.g. during the
 * rollback grace period). Pure.
 */
export function modelList(registry: Registry): { object: 'list'; data: ModelEntry[] } {
  const seconds = (iso: string | undefined): number => Math.floor(Date.parse(iso ?? '') / 1000) || 0;
  const aliases: ModelEntry[] = registry.aliases
    .map((a) => ({
      id: a.alias,
      object: 'model' as const,
      created: seconds(a.current.since),
      owned_by: 'finetune-pipeline',
      kind: 'alias' as const,
      deployment: a.current.deploymentName,
      model: a.current.model,
      run_id: a.current.runId,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const aliasNames = new Set(aliases.map((a) => a.id));
  const deployments: ModelEntry[] = [...registry.deployments]
    .filter((r) => !r.deletedAt && !aliasNames.has(r.deploymentName))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
    .map((r) => ({ id: r.deploymentName, object: 'model', created: seconds(r.createdAt ?? r.updatedAt), owned_by: 'finetune-pipeline', kind: 'deployment', deployment: r.deploymentName, model: r.model, run_id: r.runId }));
  return { object: 'list', data: [...aliases, ...deployments] };
}

export async function listModels(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    return { status: 200, jsonBody: modelList(await loadRegistryOrNone(getServices().storage.runs)) };
  } catch (error) {
    context.error(`models: could not read the deployment registry: ${(error as Error).message}`);
    return { status: 503, headers: { 'retry-after': '5' }, jsonBody: { error: { message: 'The model registry could not be read; retry shortly.', type: 'api_error', code: 'registry_unavailable', param: null } } };
  }
}

app.http('listModels', { route: 'v1/models', methods: ['GET'], authLevel: 'function', handler: listModels });
