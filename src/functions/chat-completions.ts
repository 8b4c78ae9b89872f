/**
 * `POST /api/v1/chat/completions`: the OpenAI chat-completions API in front of the fine-tuned
 * deployments, so the official `openai` client works with `baseURL = <app>/api/v1`. The pieces
 * live in src/chat/; this file wires them to the trigger.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { AzureOpenAI } from 'openai';
import { appConfig } from '../config.js';
import { createOpenAIClient } from '../azure/openai-client.js';
import { createStorageClients } from '../azure/storage.js';
import { ChatError, errorResponse } from '../chat/errors.js';
import { knownModelNames, ModelCatalog } from '../chat/model-catalog.js';
import { parseChatRequest } from '../chat/parse-request.js';
import { keepAliveFetch } from '../chat/http-fetch.js';
import { forwardChat } from '../chat/proxy.js';
import { readBodyText } from '../chat/read-body.js';
import { listDeploymentsOrNone } from '../chat/registry.js';

// Built on first use, not at import: the health endpoint must work even when settings are missing,
// and the clients are reused across requests (connection pooling, cached Entra ID tokens).
let catalog: ModelCatalog | undefined;
let client: AzureOpenAI | undefined;

function catalogFor(): ModelCatalog {
  if (!catalog) {
    const runs = createStorageClients(appConfig()).runs;
    catalog = new ModelCatalog(() => listDeploymentsOrNone(runs));
  }
  return catalog;
}

/**
 * At most one log line per request — status and timing only, never the messages, the answer or
 * any credential: the line at info level, a failure of ours (5xx) at warning level. Which of
 * them appear is the host's log-level setting.
 */
export async function chatCompletions(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let cause = '';
  try {
    const config = appConfig();
    const text = await readBodyText(request.body, request.headers.get('content-length'), config.chat.maxBodyBytes);
    const chat = parseChatRequest(text, config.chat);
    let resolution;
    try {
      resolution = await catalogFor().resolve(chat.model);
    } catch (error) {
      cause = ` (could not read the deployment registry: ${(error as Error).message})`;
      throw new ChatError(503, 'The model registry could not be read; retry shortly.', 'api_error', 'registry_unavailable', null, { 'retry-after': '5' });
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
    client ??= createOpenAIClient(config, { fetch: keepAliveFetch });
    const started = Date.now();
    const response = await forwardChat(client, chat, resolution.record.deploymentName);
    context.log(`chat: ${chat.model} -> ${resolution.record.deploymentName} ${response.status}${chat.stream ? ' (stream)' : ''} in ${Date.now() - started} ms`);
    return response;
  } catch (error) {
    if (error instanceof ChatError) {
      if (error.status >= 500) context.warn(`chat: ${error.status} ${error.code}: ${error.message}${cause}`);
      return errorResponse(error);
    }
    throw error;
  }
}

app.http('chatCompletions', {
  route: 'v1/chat/completions',
  methods: ['POST'],
  authLevel: 'function',
  handler: chatCompletions,
});
