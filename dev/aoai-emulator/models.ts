/**
 * `GET /openai/models` and `/openai/models/{id}` [spec-aoai Models_List, Models_Get]: the base
 * models this resource can fine-tune (capability `fine_tune`, deprecation dates from
 * azure-facts.ts) and the fine-tuned models its jobs produced.
 */
import { FINE_TUNABLE_MODELS } from './azure-facts.js';
import { notFound } from './errors.js';
import { json, type RequestContext, type Reply } from './http.js';
import { unixSeconds, type EmulatorState } from './state.js';

/** When the emulated base models "appeared": a fixed date, so answers are reproducible. */
const BASE_CREATED_AT = Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000);

function modelObjects(state: EmulatorState): Array<Record<string, unknown> & { id: string }> {
  const base = FINE_TUNABLE_MODELS.map((m) => ({
    object: 'model',
    id: m.id,
    created_at: BASE_CREATED_AT,
    status: 'succeeded',
    capabilities: { fine_tune: true, inference: true, completion: false, chat_completion: true, embeddings: false },
    lifecycle_status: 'generally-available',
    deprecation: m.deprecation,
  }));
  const tuned = [...state.models.values()]
    .filter((m) => !m.checkpointId)
    .map((m) => {
      const job = state.jobs.get(m.jobId);
      const parent = FINE_TUNABLE_MODELS.find((b) => b.id === m.baseModel);
      return {
        object: 'model',
        id: m.name,
        created_at: unixSeconds(job?.finishedAt ?? job?.createdAt ?? 0),
        status: 'succeeded',
        model: m.baseModel,
        fine_tune: m.jobId,
        capabilities: { fine_tune: true, inference: true, completion: false, chat_completion: true, embeddings: false },
        lifecycle_status: 'generally-available',
        deprecation: { inference: parent?.deprecation.inference ?? 0 },
      };
    });
  return [...base, ...tuned];
}

export function listModels(ctx: RequestContext): Reply {
  return json(200, { object: 'list', data: modelObjects(ctx.state) });
}

export function getModel(ctx: RequestContext): Reply {
  const id = ctx.params['modelId'] ?? '';
  const model = modelObjects(ctx.state).find((m) => m.id === id);
  if (!model) throw notFound(`Model with id '${id}' could not be found.`);
  return json(200, model);
}
