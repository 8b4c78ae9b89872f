import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWebhookAuthorized, presentedKey, systemKey, type HostKeys } from '../auth.js';
import { durableClientBindingData, durableRpcPath, durableWebhookPath } from './client-binding.js';
import { historyView } from './history-view.js';
import type { DurableEngine } from './engine.js';
import { readBody } from '../request-limits.js';
import type { InstanceDoc } from './store.js';

/**
 * The Durable extension's HTTP management API (`/runtime/webhooks/durabletask/...`): start,
 * status, query, raise event, terminate and purge — what durable-functions' DurableClient calls.
 */
export class DurableManagementApi {
  readonly #engine: DurableEngine;
  readonly #taskHubName: string;
  readonly #keys: HostKeys;
  /** The secret in the worker's keyless RPC path (see durableRpcPath). */
  readonly rpcToken = randomBytes(18).toString('base64url');

  constructor(engine: DurableEngine, taskHubName: string, keys: HostKeys) {
    this.#engine = engine;
    this.#taskHubName = taskHubName;
    this.#keys = keys;
  }

  /**
   * Routes as the extension's HttpApiHandler matches them (`orchestrators/{functionName}/{instanceId?}`,
   * `instances/{instanceId?}/{operation?}`, `instances/{instanceId}/raiseEvent/{eventName}`); a known
   * route with the wrong method is 404, like the extension.
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const rpc = durableRpcPath(this.rpcToken);
    const base = url.pathname.startsWith(`${durableWebhookPath}/`) ? durableWebhookPath : url.pathname.startsWith(`${rpc}/`) ? rpc : undefined;
    if (!base) return false;
    if (base === durableWebhookPath && !isWebhookAuthorized(this.#keys, DURABLE_EXTENSION, presentedKey(req, url))) {
      req.resume();
      return send(res, 401);
    }
    const parts = url.pathname.slice(base.length + 1).replace(/\/+$/, '').split('/').map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const body = await readText(req);
    const [kind, id, action, extra] = parts;
    if (kind === 'orchestrators' && id && parts.length <= 3) {
      return method === 'POST' ? this.#start(res, url, id, action || randomUUID().replace(/-/g, ''), body) : notFound(res);
    }
    if (kind !== 'instances' || parts.length > 4) return notFound(res);
    if (!id) {
      if (method === 'GET') return this.#query(res, url);
      if (method === 'DELETE') return this.#purgeMany(res, url);
      return notFound(res);
    }
    if (!action) {
      if (method === 'GET') return this.#status(res, url, id);
      if (method === 'DELETE') return this.#purgeOne(res, id);
      return notFound(res);
    }
    if (method !== 'POST') return notFound(res);
    if (action === 'raiseEvent' && extra) {
      let data: unknown = null;
      try {
        data = body ? (JSON.parse(body) as unknown) : null;
      } catch {
        return send(res, 400, { message: 'Invalid JSON content' });
      }
      const outcome = await this.#engine.raiseEvent(id, extra, data);
      return send(res, outcomeStatus[outcome]);
    }
    if (action.toLowerCase() === 'terminate' && !extra) {
      const outcome = await this.#engine.terminate(id, url.searchParams.get('reason') ?? '');
      return send(res, outcomeStatus[outcome]);
    }
    if (['rewind', 'restart', 'suspend', 'resume'].includes(action.toLowerCase()) && !extra) {
      return send(res, 501, { message: `dev/host does not emulate "${action}".` });
    }
    return notFound(res);
  }

  async #start(res: ServerResponse, url: URL, name: string, instanceId: string, body: string): Promise<true> {
    if (!this.#engine.isOrchestrator(name)) return send(res, 400, { message: `The function '${name}' doesn't exist or is not an orchestrator function.` });
    let input: unknown;
    try {
      input = body ? (JSON.parse(body) as unknown) : undefined;
    } catch {
      return send(res, 400, { message: 'Invalid JSON content' });
    }
    if (!(await this.#engine.startNew(name, instanceId, input))) {
      return send(res, 409, { message: `An instance with ID '${instanceId}' already exists and is running.` });
    }
    const payload = this.#managementPayload(`${url.protocol}//${url.host}`, instanceId);
    res.setHeader('location', payload['statusQueryGetUri'] ?? '');
    // CreateCheckStatusResponse: 202, Location = the status URL, Retry-After: 10.
    res.setHeader('retry-after', '10');
    return send(res, 202, payload);
  }

  #managementPayload(origin: string, instanceId: string): Record<string, string> {
    const urls = durableClientBindingData(origin, this.#taskHubName, systemKey(this.#keys, DURABLE_EXTENSION)).managementUrls;
    return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, value.replace('INSTANCEID', encodeURIComponent(instanceId))]));
  }

  /**
   * HttpApiHandler.HandleGetStatusRequestAsync: 202 with `Location` (the request's own URL) and
   * `Retry-After: 5` while Pending/Running; 200 once Completed, Terminated or Failed (500 for
   * Failed only with `returnInternalServerErrorOnFailure=true`).
   */
  async #status(res: ServerResponse, url: URL, id: string): Promise<true> {
    const stored = await this.#engine.store.get(id);
    if (!stored) return send(res, 404);
    const { doc } = stored;
    const status = statusOf(doc, url.searchParams);
    if (doc.runtimeStatus === 'Running' || doc.runtimeStatus === 'Pending') {
      res.setHeader('location', url.href);
      res.setHeader('retry-after', '5');
      return send(res, 202, status);
    }
    const failedAs500 = doc.runtimeStatus === 'Failed' && url.searchParams.get('returnInternalServerErrorOnFailure')?.toLowerCase() === 'true';
    return send(res, failedAs500 ? 500 : 200, status);
  }

  /** Purging a single instance: 404 unknown, 412 while it still runs (extension's rule), else 200. */
  async #purgeOne(res: ServerResponse, id: string): Promise<true> {
    const stored = await this.#engine.store.get(id);
    if (!stored) return send(res, 404);
    if (stored.doc.runtimeStatus === 'Running' || stored.doc.runtimeStatus === 'Pending') {
      return send(res, 412, `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${id} has status ${stored.doc.runtimeStatus}`);
    }
    await this.#engine.store.delete(id);
    return send(res, 200, { instancesDeleted: 1 });
  }

  async #query(res: ServerResponse, url: URL): Promise<true> {
    const docs = await this.#matching(url);
    return send(res, 200, docs.map((doc) => statusOf(doc, url.searchParams)));
  }

  async #purgeMany(res: ServerResponse, url: URL): Promise<true> {
    const docs = await this.#matching(url);
    for (const doc of docs) await this.#engine.store.delete(doc.instanceId);
    return send(res, docs.length ? 200 : 404, { instancesDeleted: docs.length });
  }

  async #matching(url: URL): Promise<InstanceDoc[]> {
    const statuses = url.searchParams.get('runtimeStatus')?.split(',').filter(Boolean);
    const from = url.searchParams.get('createdTimeFrom');
    const to = url.searchParams.get('createdTimeTo');
    const prefix = url.searchParams.get('instanceIdPrefix');
    return (await this.#engine.store.list()).filter(
      (doc) =>
        (!statuses?.length || statuses.includes(doc.runtimeStatus)) &&
        (!from || doc.createdTime >= new Date(from).toISOString()) &&
        (!to || doc.createdTime <= new Date(to).toISOString()) &&
        (!prefix || doc.instanceId.startsWith(prefix)),
    );
  }
}

/** The real host's name for the Durable extension's system key. */
export const DURABLE_EXTENSION = 'durabletask_extension';

const outcomeStatus = { accepted: 202, notFound: 404, gone: 410 } as const;

const wholeSeconds = (iso: string): string => `${iso.slice(0, 19)}Z`;

function statusOf(doc: InstanceDoc, query: URLSearchParams): Record<string, unknown> {
  const status: Record<string, unknown> = {
    name: doc.name,
    instanceId: doc.instanceId,
    runtimeStatus: doc.runtimeStatus,
    input: query.get('showInput') === 'false' ? null : doc.input,
    customStatus: doc.customStatus,
    output: doc.output,
    // The extension formats both with .ToString("s") + "Z": whole seconds.
    createdTime: wholeSeconds(doc.createdTime),
    lastUpdatedTime: wholeSeconds(doc.lastUpdatedTime),
  };
  if (query.get('showHistory')?.toLowerCase() === 'true') {
    status['historyEvents'] = historyView(doc.history, query.get('showHistoryOutput')?.toLowerCase() === 'true');
  }
  return status;
}

async function readText(req: IncomingMessage): Promise<string> {
  return (await readBody(req)).toString('utf8');
}

function send(res: ServerResponse, status: number, body?: unknown): true {
  if (body === undefined) {
    res.writeHead(status).end();
  } else {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
  return true;
}

const notFound = (res: ServerResponse): true => send(res, 404);
