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
    client ??= createOpenAIClient(config, { fetch: keepAliveFetch });
    const started = Date.now();
    const response = await forwardChat(client, chat, resolution.record.deploymentName);
    // Status and timing only: never the messages, the answer or any credential.
    context.log(`chat: ${chat.model} -> ${resolution.record.deploymentName} ${response.status}${chat.stream ? ' (stream)' : ''} in ${Date.now() - started} ms`);
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
