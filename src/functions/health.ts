import { app, type HttpResponseInit } from '@azure/functions';
import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** Liveness probe: answers without touching storage or Azure OpenAI, so it is safe to poll. */
export async function health(): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { status: 'ok', name: 'finetune-pipeline', version } };
}

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: health });
