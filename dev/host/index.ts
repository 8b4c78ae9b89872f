import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HostKeys } from './auth.js';
import { BlobTriggers } from './blob-trigger.js';
import { durableClientBindingData } from './durable/client-binding.js';
import { DurableEngine } from './durable/engine.js';
import { DurableManagementApi } from './durable/management-api.js';
import { InstanceStore } from './durable/store.js';
import { EventGridWebhook } from './eventgrid-webhook.js';
import { readHostConfig } from './host-config.js';
import { listen, type RequestHandler } from './http-server.js';
import { HttpTriggers } from './http-trigger.js';
import { Invoker, triggerBindingOf } from './invoker.js';
import { loadApp, resolveEntry } from './load-app.js';
import { consoleLogger, debugOf, type HostLogger } from './logger.js';
import { QueueTriggers } from './queue-trigger.js';
import { resolveConnectionString, storageFor } from './storage.js';
import { TimerTriggers } from './timer-trigger.js';

export type { HostKeys } from './auth.js';
export type { HostLogger } from './logger.js';

export interface HostOptions {
  /** The app: a project directory (its package.json `main` is loaded) or the entry module itself. */
  app: string;
  /** Directory holding host.json; default: the nearest one above the entry. */
  appRoot?: string;
  /** Port on 127.0.0.1; default 7071, 0 picks a free one. */
  port?: number;
  /** Keys for `function`/`admin` auth levels; none means every route is open (like `func start`). */
  keys?: HostKeys;
  logger?: HostLogger;
  /** How often polling blob triggers scan their containers (default 1000 ms). */
  blobPollIntervalMs?: number;
  /** How often queue triggers poll (default 1000 ms). */
  queuePollIntervalMs?: number;
  /** Attempts per blob before it is recorded as poison (default 5, like the Functions host). */
  blobTriggerMaxAttempts?: number;
  /**
   * Also fire `source: 'EventGrid'` blob triggers from container scans (default true: Azurite
   * cannot send Event Grid events). With false they fire only from webhook posts, as in Azure.
   */
  scanEventGridBlobTriggers?: boolean;
  /** Names the receipts blob triggers leave in storage (default: the app directory's name). */
  hostId?: string;
}

export interface RunningHost {
  /** e.g. `http://127.0.0.1:7071` */
  url: string;
  port: number;
  /** Registered function names. */
  functions: string[];
  taskHubName: string;
  stop(): Promise<void>;
}

function findAppRoot(entry: string): string {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'host.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(entry);
  }
}

const triggerTypes = (invoker: Invoker): string[] =>
  [...invoker.functions.values()].map((fn) => (triggerBindingOf(fn)[1].type ?? '').toLowerCase());

/**
 * Starts the local Functions host: loads the app's registrations, then serves HTTP triggers and
 * the Durable/Event Grid webhooks, and runs blob, queue and timer triggers and orchestrations.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const logger = options.logger ?? consoleLogger;
  const entry = resolveEntry(options.app);
  const appRoot = options.appRoot ?? findAppRoot(entry);
  const config = readHostConfig(appRoot);
  const loaded = await loadApp(entry);
  loaded.registry.systemLog = (level, _category, message) => {
    if (level === 'error' || level === 'critical') logger.error(message);
    else if (level === 'warning') logger.warn(message);
  };
  const invoker = new Invoker(loaded.registry, logger);
  const keys = options.keys ?? {};
  const types = triggerTypes(invoker);
  const usesDurable =
    types.includes('orchestrationtrigger') ||
    [...invoker.functions.values()].some((fn) => Object.values(fn.metadata.bindings).some((b) => b.type === 'durableClient'));

  // A missing storage setting is a start-up error (one clear line), not a warning on every poll.
  for (const fn of invoker.functions.values()) {
    const [, trigger] = triggerBindingOf(fn);
    if (/^(blob|queue)trigger$/i.test(trigger.type ?? '')) {
      resolveConnectionString(typeof trigger['connection'] === 'string' ? trigger['connection'] : undefined);
    }
  }
  if (usesDurable) {
    resolveConnectionString(undefined);
    if (config.hubNameProblem) logger.warn(`${config.hubNameProblem} Using the task hub name "${config.hubName}".`);
  }

  let port = options.port ?? 7071;
  invoker.addInputProvider((binding) =>
    binding.type === 'durableClient' || binding.type === 'orchestrationClient'
      ? { string: JSON.stringify(durableClientBindingData(`http://127.0.0.1:${port}`, config.hubName, keys.master)) }
      : undefined,
  );

  const handlers: RequestHandler[] = [];
  let engine: DurableEngine | undefined;
  if (usesDurable) {
    engine = new DurableEngine(new InstanceStore(storageFor(undefined), config.hubName), invoker, logger);
    const api = new DurableManagementApi(engine, config.hubName, keys.master);
    handlers.push((req, res, url) => api.handle(req, res, url));
  }
  const blobTriggers = new BlobTriggers(invoker, logger, {
    pollIntervalMs: options.blobPollIntervalMs ?? 1000,
    maxAttempts: options.blobTriggerMaxAttempts ?? 5,
    hostId: options.hostId ?? path.basename(appRoot).toLowerCase(),
    scanEventGridSources: options.scanEventGridBlobTriggers ?? true,
  });
  const webhook = new EventGridWebhook(blobTriggers, logger);
  handlers.push((req, res, url) => webhook.handle(req, res, url));
  const httpTriggers = new HttpTriggers(invoker, invoker.functions.values(), {
    routePrefix: config.routePrefix,
    keys,
    httpStreamUri: loaded.httpStreamUri,
  });
  handlers.push((req, res, url) => httpTriggers.handle(req, res, url));

  const server = await listen(port, handlers, logger);
  port = server.port;
  const url = `http://127.0.0.1:${port}`;
  const queueTriggers = new QueueTriggers(invoker, logger, { pollIntervalMs: options.queuePollIntervalMs ?? 1000 });
  const timerTriggers = new TimerTriggers(invoker, logger);

  const debug = debugOf(logger);
  debug('Functions:');
  for (const fn of invoker.functions.values()) {
    const route = httpTriggers.routes.find((r) => r.functionName === fn.metadata.name);
    const trigger = triggerBindingOf(fn)[1].type;
    debug(route ? `  ${fn.metadata.name}: [${route.methods?.join(',') ?? 'ALL'}] ${url}${httpTriggers.pathOf(route)}` : `  ${fn.metadata.name}: ${trigger}`);
  }

  for (const hook of loaded.registry.hooks.get('appStart') ?? []) {
    await hook({ hookData: {}, appHookData: {}, functionAppDirectory: appRoot });
  }
  await engine?.start();
  blobTriggers.start();
  queueTriggers.start();
  timerTriggers.start();
  logger.info(`Host started on ${url} (task hub ${config.hubName}).`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    functions: [...invoker.functions.keys()],
    taskHubName: config.hubName,
    stop: () =>
      (stopping ??= (async () => {
        timerTriggers.stop();
        await Promise.all([blobTriggers.stop(), queueTriggers.stop()]);
        await engine?.stop();
        await server.close();
        await Promise.all((loaded.registry.hooks.get('appTerminate') ?? []).map((hook) => hook({ hookData: {}, appHookData: {} })));
      })()),
  };
}
