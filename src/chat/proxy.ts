/**
 * Sends a checked chat request to the Azure OpenAI deployment with the official SDK and passes
 * the answer on as the bytes Azure sent (`asResponse()`: the SDK still handles authentication,
 * retries and error statuses, but does not parse a successful body). The response is Azure
 * OpenAI's own: its `model` field names the fine-tuned model that answered (as OpenAI reports the
 * snapshot behind an alias), while the `x-ftpipe-deployment` header names the deployment the
 * request was routed to.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { AzureOpenAI } from 'openai';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { fromUpstream } from './errors.js';
import type { ChatRequest } from './parse-request.js';
import { SSE_HEADERS, relaySse } from './sse.js';

export const DEPLOYMENT_HEADER = 'x-ftpipe-deployment';

/** Resolves with the answer; a failure is thrown as a ChatError (with the original as `cause`). */
export async function forwardChat(client: AzureOpenAI, request: ChatRequest, deploymentName: string): Promise<HttpResponseInit> {
  // The Azure client puts `model` in the URL path (/openai/deployments/<model>/...).
  const body = { ...request.body, model: deploymentName } as unknown as ChatCompletionCreateParams;
  try {
    // Resolves once Azure OpenAI has answered with its headers: errors before the first byte
    // (404, 429, 400) throw here and become a normal JSON error response with the right status.
    const upstream = await client.chat.completions.create(body).asResponse();
    if (request.stream) {
      if (!upstream.body) throw new Error('the upstream stream has no body');
      return { status: 200, headers: { ...SSE_HEADERS, [DEPLOYMENT_HEADER]: deploymentName }, body: relaySse(upstream.body, fromUpstream) };
    }
    const bytes = new Uint8Array(await upstream.arrayBuffer());
    return {
      status: upstream.status,
      headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json', [DEPLOYMENT_HEADER]: deploymentName },
      body: bytes,
    };
  } catch (error) {
    // Thrown, not returned, so the handler logs it with everything else that fails.
    throw fromUpstream(error);
  }
}
