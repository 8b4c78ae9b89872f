import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { durableClientBindingData, durableWebhookPath } from './client-binding.js';
import type { DurableEngine } from './engine.js';
import type { InstanceDoc } from './store.js';

/**
 * The Durable extension's HTTP management API (`/runtime/webhooks/durabletask/...`): start,
 * status, query, raise event, terminate and purge — what durable-functions' DurableClient calls.
 */
export class DurableManagementApi {
  readonly #engine: DurableEngine;
  readonly #taskHubName: string;
  readonly #systemKey: string | undefined;

  constructor(engine: DurableEngine, taskHubName: string, systemKey: string | undefined) {
    this.#engine = engine;
    this.#taskHubName = taskHubName;
    this.#systemKey = systemKey;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(`${durableWebhookPath}/`)) return false;
    const parts = url.pathname.slice(durableWebhookPath.length + 1).split('/').map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const body = await readText(req);
    const [kind, id, action, extra] = parts;
    if (kind === 'orchestrators' && method === 'POST' && id) {
      return this.#start(res, url, id, action || randomUUID().replace(/-/g, ''), body);
    }
    if (kind !== 'instances') return notFound(res);
    if (!id && method === 'GET') return this.#query(res, url);
    if (!id && method === 'DELETE') return this.#purgeMany(res, url);
    if (!id) return notFound(res);
    if (!action && method === 'GET') return this.#status(res, url, id);
    if (!action && method === 'DELETE') {
      const deleted = await this.#engine.store.delete(id);
      return send(res, deleted ? 200 : 404, { instancesDeleted: deleted ? 1 : 0 });
    }
    if (action === 'raiseEvent' && method === 'POST' && extra) {
      const outcome = await this.#engine.raiseEvent(id, extra, body ? (JSON.parse(body) as unknown) : null);
      return send(res, outcomeStatus[outcome]);
    }
    if (action === 'terminate' && method === 'POST') {
      const outcome = await this.#engine.terminate(id, url.searchParams.get('reason') ?? '');
      return send(res, outcomeStatus[outcome]);
    }
    return send(res, 501, { message: `dev/host does not emulate "${action}".` });
  }

  async #start(res: ServerResponse, url: URL, name: string, instanceId: string, body: string): Promise<true> {
    if (!this.#engine.isOrchestrator(name)) return send(res, 400, { message: `The function '${name}' doesn't exist or is not an orchestrator function.` });
    const input = body ? (JSON.parse(body) as unknown) : undefined;
    if (!(await this.#engine.startNew(name, instanceId, input))) {
      return send(res, 409, { message: `An instance with ID '${instanceId}' already exists and is running.` });
    }
    const payload = this.#managementPayload(url.origin, instanceId);
    res.setHeader('location', payload['statusQueryGetUri'] ?? '');
    res.setHeader('retry-after', '10');
    return send(res, 202, payload);
  }

  #managementPayload(origin: string, instanceId: string): Record<string, string> {
    const urls = durableClientBindingData(origin, this.#taskHubName, this.#systemKey).managementUrls;
    return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, value.replace('INSTANCEID', encodeURIComponent(instanceId))]));
  }

  async #status(res: ServerResponse, url: URL, id: string): Promise<true> {
    const stored = await this.#engine.store.get(id);
    if (!stored) return send(res, 404, null);
    const { doc } = stored;
    const status = statusOf(doc, url.searchParams);
    const code = doc.runtimeStatus === 'Completed' ? 200 : doc.runtimeStatus === 'Failed' || doc.runtimeStatus === 'Terminated' ? 400 : 202;
    return send(res, code, status);
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

const outcomeStatus = { accepted: 202, notFound: 404, gone: 410 } as const;

function statusOf(doc: InstanceDoc, query: URLSearchParams): Record<string, unknown> {
  const status: Record<string, unknown> = {
    name: doc.name,
    instanceId: doc.instanceId,
    runtimeStatus: doc.runtimeStatus,
    input: query.get('showInput') === 'false' ? null : doc.input,
    customStatus: doc.customStatus,
    output: doc.output,
    createdTime: doc.createdTime,
    lastUpdatedTime: doc.lastUpdatedTime,
  };
  if (query.get('showHistory') === 'true') status['historyEvents'] = doc.history;
  return status;
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body?: unknown): true {
  if (body === undefined) {
    res.writeHead(status).end();
  } else {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
  return true;
}

const notFound = (res: ServerResponse): true => send(res, 404, { message: 'Not found' });
