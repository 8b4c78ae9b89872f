/**
 * `POST /api/v1/chat/completions`: the OpenAI chat-completions API in front of the fine-tuned
 * deployments, so the official `openai` client works with `baseURL = <app>/api/v1`. `model` is an
 * alias (resolved through the deployment registry to its current deployment) or a deployment
 * name. The pieces live in src/chat/; this file wires them to the trigger.
 *
 * When Azure has deleted the deployment behind an alias (15 days without traffic, or by hand),
 * the request re-creates it with the same model and answers 503 with Retry-After while it
 * provisions; later requests find it serving again.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { AliasStore } from '../aliases/alias-store.js';
import { ensureDeployed } from '../aliases/deployment-ops.js';
import { appConfig } from '../config.js';
import { ChatError, errorResponse } from '../chat/errors.js';
import { LastUse } from '../chat/last-use.js';
import { knownModelNames, ModelCatalog } from '../chat/model-catalog.js';
import { parseChatRequest } from '../chat/parse-request.js';
import { forwardChat } from '../chat/proxy.js';
import { readBodyText } from '../chat/read-body.js';
import { loadRegistryOrNone } from '../chat/registry.js';
import { publishRunNotice } from '../notify/publish.js';
import { getServices } from '../services.js';
import type { DeploymentRecord } from '../runs/deployment-registry.js';

/** How long a client should wait while a deleted deployment is provisioned again. */
export const REDEPLOY_RETRY_AFTER_SECONDS = 30;

// Built on first use, not at import: the health endpoint must work even when settings are missing,
// and the clients are reused across requests (connection pooling, cached Entra ID tokens).
let catalog: ModelCatalog | undefined;
let lastUse: LastUse | undefined;

function catalogFor(): ModelCatalog {
  if (!catalog) {
    const runs = getServices().storage.runs;
    catalog = new ModelCatalog(() => loadRegistryOrNone(runs), appConfig().aliases.registryTtlMs);
  }
  return catalog;
}

function lastUseFor(context: InvocationContext): LastUse {
  if (!lastUse) {
    const config = appConfig();
    const store = new AliasStore(getServices().storage.runs);
    lastUse = new LastUse((deploymentName, at) => store.writeUsage({ deploymentName, lastUsedAt: at }), config.aliases.lastUseFlushMs, (m) => context.warn(`chat: ${m}`));
  }
  return lastUse;
}

/**
 * Azure answered "no such deployment" for a recorded one. Re-read the registry: a stale cache may
 * point at a deployment the grace period removed — then the request goes to the current one.
 * Otherwise the alias's deployment is created again (same name, same model) and the caller is
 * told to retry. Deployments the app deleted on purpose are not revived by a direct name.
 */
async function recover(model: string, failed: DeploymentRecord, context: InvocationContext): Promise<DeploymentRecord | ChatError | null> {
  const fresh = await catalogFor().resolve(model, { fresh: true });
  if (fresh.record && fresh.record.deploymentName !== failed.deploymentName) return fresh.record;
  // Only an alias's deployment is brought back; a deployment asked for by name gets Azure's 404 as it is.
  if (!fresh.record || !fresh.viaAlias) return null;
  const record = fresh.record;
  const { arm, config, storage, store: runs } = getServices();
  const outcome = await ensureDeployed(arm, config.arm, record, config.deployment);
  if (outcome.state === 'conflict' || outcome.state === 'failed') {
    context.error(`chat: ${outcome.message}`);
    return new ChatError(503, `The deployment behind '${model}' is not usable: ${outcome.message}.`, 'api_error', 'deployment_unavailable', null, { 'retry-after': String(REDEPLOY_RETRY_AFTER_SECONDS) });
  }
  if (outcome.state === 'ready') return record;
  if (outcome.started) {
    const at = new Date().toISOString();
    context.warn(`chat: deployment ${record.deploymentName} of '${model}' was missing in Azure; re-creating it with ${record.model}`);
    const store = new AliasStore(storage.runs);
    await store.markDeleted(record.deploymentName, at, 'found missing in Azure (deleted outside the app, or idle for 15 days)');
    await store.markRecreated(record.deploymentName, at);
    // Through the one notice path: the queue and the webhook get the same id, and the run records it.
    await publishRunNotice(
      'deployment.recreated',
      record,
      {
        alias: record.alias ?? model,
        deployment: record.deploymentName,
        model: record.model,
        message: `Azure no longer had deployment ${record.deploymentName}; a chat request re-created it with the same model.`,
      },
      at,
      at,
      { events: storage.events, webhook: config.notify, store: runs, log: (line) => context.warn(line) },
    );
  }
  return new ChatError(
    503,
    `The deployment behind '${model}' is being provisioned again (Azure had deleted it); retry in ${REDEPLOY_RETRY_AFTER_SECONDS} seconds.`,
    'api_error',
    'deployment_provisioning',
    null,
    { 'retry-after': String(REDEPLOY_RETRY_AFTER_SECONDS) },
  );
}

/**
 * At most one log line per request — status and timing, or the error and its cause; never the
 * messages, the answer or any credential. Which lines appear is the host's log level.
 */
export async function chatCompletions(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const config = appConfig();
    const text = await readBodyText(request.body, request.headers.get('content-length'), config.chat.maxBodyBytes);
    const chat = parseChatRequest(text, config.chat);
    let resolution;
    try {
      resolution = await catalogFor().resolve(chat.model);
    } catch (error) {
      // Logged once, with its cause, by the catch below: one line per request at most.
      const unavailable = new ChatError(503, 'The model registry could not be read; retry shortly.', 'api_error', 'registry_unavailable', null, { 'retry-after': '5' });
      unavailable.cause = error;
      throw unavailable;
    }
    if (!resolution.record) {
      throw new ChatError(
        404,
        `The model '${chat.model}' does not exist. Known models: ${knownModelNames(resolution.known)}.`,
        'invalid_request_error',
        'model_not_found',
        'model',
      );
    }
    const client = getServices().chatOpenai;
    const started = Date.now();
    let target = resolution.record;
    let response: HttpResponseInit;
    try {
      response = await forwardChat(client, chat, target.deploymentName);
    } catch (error) {
      if (!(error instanceof ChatError && error.status === 404 && error.code === 'DeploymentNotFound')) throw error;
      const recovered = await recover(chat.model, target, context);
      if (recovered === null) throw error;
      if (recovered instanceof ChatError) throw recovered;
      target = recovered;
      response = await forwardChat(client, chat, target.deploymentName);
    }
    if (response.status === 200) lastUseFor(context).note(target.deploymentName);
    // Status and timing only: never the messages, the answer or any credential.
    context.log(`chat: ${chat.model} -> ${target.deploymentName} ${response.status}${chat.stream ? ' (stream)' : ''} in ${Date.now() - started} ms`);
    return response;
  } catch (error) {
    if (error instanceof ChatError) {
      // Every error answer is logged (status, code, message, and what caused it — never the
      // request's messages or a credential), so a 4xx or 502 can be explained from the logs.
      const cause = error.cause instanceof Error && !(error.cause instanceof ChatError) ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
      const line = `chat: ${error.status} ${error.code ?? error.type}: ${error.message}${cause}`;
      if (error.status >= 500) context.warn(line);
      else context.log(line);
      return errorResponse(error);
    }
    context.error(`chat: unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
    throw error;
  }
}

app.http('chatCompletions', {
  route: 'v1/chat/completions',
  methods: ['POST'],
  authLevel: 'function',
  handler: chatCompletions,
});
