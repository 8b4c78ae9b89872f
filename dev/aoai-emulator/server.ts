/**
 * The HTTP front: reads the request, applies latency, authentication, api-version checks and
 * injected faults in the order Azure would, advances emulated time, runs the route's handler
 * and writes the reply. Every failure is answered in Azure's `{"error": {...}}` envelope.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkArmAuth, checkDataPlaneAuth } from './auth.js';
import { CONFIG_KEYS, ConfigError, configErrorToApiError, parseConfigPatch } from './config.js';
import { ARM_API_VERSIONS, DATA_PLANE_API_VERSIONS, V1_API_VERSIONS } from './azure-facts.js';
import { advanceDeployments } from './deployments.js';
import { ApiError, armError, invalidRequest, resourceNotFound } from './errors.js';
import { injectedFault } from './faults.js';
import { advanceFiles } from './files.js';
import type { Reply, RequestContext } from './http.js';
import { advanceJobs } from './jobs.js';
import { matchRoute, planeOf, type Plane } from './router.js';
import type { StateStore } from './persistence.js';
import type { EmulatorState } from './state.js';

export const CONFIG_PATH = '/__emulator/config';

export interface ServerOptions {
  state: EmulatorState;
  apiKey: string;
  /** Receives one line per unexpected error (never request bodies or credentials). */
  log: (line: string) => void;
  /** Where the state is saved after each request, if it is kept on disk. */
  store?: StateStore;
}

/** Moves every piece of emulated state to `now`. */
export function advance(state: EmulatorState, now: number): void {
  advanceFiles(state, now);
  advanceJobs(state, now);
  advanceDeployments(state, now);
}

export function createEmulatorServer(options: ServerOptions): Server {
  return createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.log(`aoai-emulator: failed to answer ${req.method} ${req.url?.split('?')[0]}: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalServerError', message: 'The emulator failed to answer this request.' } });
      else res.destroy();
    });
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  const { state } = options;
  const origin = `http://${req.headers.host ?? 'localhost'}`;
  const url = new URL(req.url ?? '/', origin);
  const method = (req.method ?? 'GET').toUpperCase();

  if (url.pathname === CONFIG_PATH) {
    handleConfig(method, await readBody(req), state, res);
    return;
  }
  const matched = matchRoute(method, url.pathname);
  // An upload is handed to its handler as a stream (a 100 MB file is never held twice, nor parsed in one go).
  const streaming = matched?.route.streamsBody === true;
  const body = streaming ? Buffer.alloc(0) : await readBody(req);

  const plane = planeOf(url.pathname);
  const requestId = randomUUID();
  const idHeaders: Record<string, string> =
    plane === 'arm' ? { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': requestId } : { 'apim-request-id': requestId, 'x-request-id': requestId };
  try {
    if (state.config.latencyMs > 0) await sleep(state.config.latencyMs);
    if (plane === null) throw resourceNotFound();
    if (!matched) throw plane === 'arm' ? armError(404, 'NotFound', `No ${method} operation at '${url.pathname}' in this emulator.`) : resourceNotFound();
    if (plane === 'arm') checkArmAuth(req.headers);
    else checkDataPlaneAuth(req.headers, options.apiKey);
    const apiVersion = checkApiVersion(plane, matched.route.apiVersionRequired, url.searchParams.get('api-version'));
    const fault = injectedFault(state, plane, apiVersion);
    if (fault) throw fault;

    const now = Date.now();
    advance(state, now);
    const ctx: RequestContext = { method, url, origin, headers: req.headers, params: matched.params, body, state, apiVersion, now, ...(streaming ? { stream: req } : {}) };
    let reply: Reply;
    try {
      reply = await matched.route.handler(ctx);
    } finally {
      // Saved before the answer leaves: a client that saw a job created can rely on it surviving a restart.
      options.store?.save(state);
    }
    await write(res, reply, idHeaders);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // A refused upload's body is drained, so the connection can carry the next request.
    if (streaming && !req.readableEnded) req.resume();
    send(res, error.status, { error: error.body }, { ...idHeaders, ...error.headers });
  }
}

function checkApiVersion(plane: Plane, required: boolean, value: string | null): string | null {
  if (plane === 'arm') {
    if (value === null || value === '') {
      throw armError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    if (!ARM_API_VERSIONS.includes(value)) {
      // ARM's wording for an unknown version (it lists the supported ones).
      throw armError(
        400,
        'NoRegisteredProviderFound',
        `No registered resource provider found for location and API version '${value}'. The supported api-versions are '${ARM_API_VERSIONS.join(', ')}'.`,
      );
    }
    return value;
  }
  if (value === null || value === '') {
    if (required) throw resourceNotFound("the 'api-version' query parameter is required (for example ?api-version=2024-10-21)");
    return null;
  }
  if (required ? DATA_PLANE_API_VERSIONS.includes(value) : V1_API_VERSIONS.includes(value)) return value;
  // Azure OpenAI's answer, as quoted in public issue threads: 400 BadRequest "API version not
  // supported". The emulator adds which versions it serves, so a wrong AZURE_OPENAI_API_VERSION is obvious.
  const supported = (required ? DATA_PLANE_API_VERSIONS : V1_API_VERSIONS).join(', ');
  throw new ApiError(400, { code: 'BadRequest', message: `API version not supported: '${value}' (supported: ${supported}).`, param: 'api-version' });
}

async function write(res: ServerResponse, reply: Reply, headers: Record<string, string>): Promise<void> {
  const extra = { ...headers, ...reply.headers };
  if ('json' in reply) {
    send(res, reply.status, reply.json, extra);
  } else if ('bytes' in reply) {
    res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(reply.bytes), ...extra });
    res.end(reply.bytes);
  } else if ('events' in reply) {
    res.writeHead(reply.status, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...extra });
    for await (const event of reply.events) res.write(event);
    res.end();
  } else {
    res.writeHead(reply.status, extra);
    res.end();
  }
}

/** Public view of the configuration: timings and faults (the api-key is never echoed). */
export function configView(state: EmulatorState): Record<string, unknown> {
  return Object.fromEntries(CONFIG_KEYS.map((key) => [key, state.config[key]]));
}

function handleConfig(method: string, body: Buffer, state: EmulatorState, res: ServerResponse): void {
  try {
    if (method === 'GET') {
      send(res, 200, configView(state));
      return;
    }
    if (method !== 'PATCH') {
      send(res, 405, { error: { code: 'MethodNotAllowed', message: `Use GET or PATCH on ${CONFIG_PATH}.` } }, { allow: 'GET, PATCH' });
      return;
    }
    let patch: unknown;
    try {
      patch = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`);
    }
    Object.assign(state.config, parseConfigPatch(patch));
    send(res, 200, configView(state));
  } catch (error) {
    const apiError = error instanceof ConfigError ? configErrorToApiError(error) : error;
    if (!(apiError instanceof ApiError)) throw apiError;
    send(res, apiError.status, { error: apiError.body });
  }
}
