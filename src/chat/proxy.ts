/**
 * Sends a checked chat request to the Azure OpenAI deployment with the official SDK and shapes
 * the answer for the caller. The response is Azure OpenAI's own: its `model` field names the
 * fine-tuned model that answered (as OpenAI reports the snapshot behind an alias), while the
 * `x-ftpipe-deployment` header names the deployment the request was routed to.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { AzureOpenAI } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { fromUpstream } from './errors.js';
import type { ChatRequest } from './parse-request.js';
import { SSE_HEADERS, sseStream } from './sse.js';

export const DEPLOYMENT_HEADER = 'x-ftpipe-deployment';

/** Resolves with the answer; a failure is thrown as a ChatError (with the original as `cause`). */
export async function forwardChat(client: AzureOpenAI, request: ChatRequest, deploymentName: string): Promise<HttpResponseInit> {
  // The Azure client puts `model` in the URL path (/openai/deployments/<model>/...).
  const body = { ...request.body, model: deploymentName };
  const headers = { [DEPLOYMENT_HEADER]: deploymentName };
  try {
    if (request.stream) {
      // Resolves once Azure OpenAI has answered with its headers: errors before the first event
      // (404, 429, 400) still become a normal JSON error response with the right status.
      const stream = await client.chat.completions.create(body as unknown as ChatCompletionCreateParamsStreaming);
      return {
        status: 200,
        headers: { ...SSE_HEADERS, ...headers },
        body: sseStream({ chunks: stream, abort: () => stream.controller.abort() }, fromUpstream),
      };
    }
    const completion = await client.chat.completions.create(body as unknown as ChatCompletionCreateParamsNonStreaming);
    return { status: 200, headers, jsonBody: completion };
  } catch (error) {
    // Thrown, not returned, so the handler logs it with everything else that fails.
    throw fromUpstream(error);
  }
}
