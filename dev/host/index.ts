import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemKey, type HostKeys } from './auth.js';
import { BlobTriggers } from './blob-trigger.js';
import { durableClientBindingData } from './durable/client-binding.js';
import { DurableEngine } from './durable/engine.js';
import { DURABLE_EXTENSION, DurableManagementApi } from './durable/management-api.js';
import { InstanceStore } from './durable/store.js';
import { defaultEventGridOptions, EventGridDelivery, parseEventGridFaults, parseEventGridSubscriptions, type EventGridOptions, type EventGridSource } from './eventgrid-delivery.js';
import { EVENTGRID_EXTENSION, EventGridTriggers } from './eventgrid-trigger.js';
import { BLOBS_EXTENSION, EventGridWebhook } from './eventgrid-webhook.js';
import { readHostConfig } from './host-config.js';
import { listen, type RequestHandler } from './http-server.js';
import { HttpTriggers } from './http-trigger.js';
import { Invoker, describeError, triggerBindingOf } from './invoker.js';
import { loadApp, resolveEntries } from './load-app.js';
import { consoleLogger, debugOf, type HostLogger } from './logger.js';
import { QueueTriggers } from './queue-trigger.js';
import { resolveConnectionString, setQueueMessageEncoding, storageFor } from './storage.js';
import { TimerTriggers } from './timer-trigger.js';

export type { HostKeys } from './auth.js';
export type { HostLogger } from './logger.js';
export type { EventGridFaults, EventGridOptions } from './eventgrid-delivery.js';
export { EventGridDelivery, blobCreatedEvent, defaultEventGridOptions } from './eventgrid-delivery.js';

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
   * The local Event Grid subscription for `source: 'EventGrid'` blob triggers (Azurite sends no
   * events): timings, dead-lettering, faults. `false` turns it off, so those triggers fire only
   * from posts to /runtime/webhooks/blobs.
   */
  eventGrid?: Partial<EventGridOptions> | false;
  /** Names the receipts blob triggers leave in storage (default: the app directory's name). */
  hostId?: string;
  /**
   * Azure's pick-up latency instead of instant local dispatch: durable activities and timers wait
   * as the Azure Storage backend's backed-off pollers would (up to maxQueuePollingInterval, 30 s),
   * and idle queue triggers back off up to queues.maxPollingInterval. Default: the
   * DEV_HOST_REALISTIC_LATENCY setting ("true"), else off.
   */
  realisticLatency?: boolean;
  /**
   * Keep serving when a function throws outside its invocation (an uncaught exception or an
   * unhandled rejection would end the process): the running invocations fail, as they do when
   * the real host's worker process dies, and the host goes on. Default true.
   */
  isolateCrashes?: boolean;
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
  const entries = resolveEntries(options.app);
  const appRoot = options.appRoot ?? findAppRoot(entries.files[0] ?? path.join(entries.dir, 'package.json'));
  const config = readHostConfig(appRoot);
  const loaded = await loadApp(options.app);
  loaded.registry.systemLog = (level, _category, message) => {
    if (level === 'error' || level === 'critical') logger.error(message);
    else if (level === 'warning') logger.warn(message);
  };
  setQueueMessageEncoding(config.queueMessageEncoding);
  // The fault setting comes from the environment (local.settings.json Values) unless given in options.
  const eventGridFaults = parseEventGridFaults(process.env['DEV_HOST_EVENTGRID_FAULTS']);
  const eventGridSubscriptions = parseEventGridSubscriptions(process.env['DEV_HOST_EVENTGRID_SUBSCRIPTIONS']);
  const realistic = options.realisticLatency ?? /^(1|true)$/i.test(process.env['DEV_HOST_REALISTIC_LATENCY'] ?? '');
  const invoker = new Invoker(loaded.registry, logger, { timeoutMs: config.functionTimeoutMs, logLevels: config.logLevels });
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
  let rpcToken: string | undefined;
  invoker.addInputProvider((binding) =>
    binding.type === 'durableClient' || binding.type === 'orchestrationClient'
      ? { string: JSON.stringify(durableClientBindingData(`http://127.0.0.1:${port}`, config.hubName, systemKey(keys, DURABLE_EXTENSION), rpcToken)) }
      : undefined,
  );

  const handlers: RequestHandler[] = [];
  let engine: DurableEngine | undefined;
  if (usesDurable) {
    engine = new DurableEngine(new InstanceStore(storageFor(undefined), config.hubName), invoker, logger, {
      maxConcurrentActivityFunctions: config.maxConcurrentActivityFunctions,
      maxConcurrentOrchestratorFunctions: config.maxConcurrentOrchestratorFunctions,
      pollingLatencyMaxMs: realistic ? config.durableMaxQueuePollingIntervalMs : undefined,
    });
    const api = new DurableManagementApi(engine, config.hubName, keys);
    rpcToken = api.rpcToken;
    handlers.push((req, res, url) => api.handle(req, res, url));
  }
  const blobTriggers = new BlobTriggers(invoker, logger, {
    pollIntervalMs: options.blobPollIntervalMs ?? 1000,
    // The blob extension retries through its queue, so queues.maxDequeueCount bounds the attempts.
    maxAttempts: options.blobTriggerMaxAttempts ?? config.maxDequeueCount,
    hostId: options.hostId ?? path.basename(appRoot).toLowerCase(),
  });
  const webhook = new EventGridWebhook(blobTriggers, logger, keys);
  handlers.push((req, res, url) => webhook.handle(req, res, url));
  const eventGridTriggers = new EventGridTriggers(invoker, keys);
  handlers.push((req, res, url) => eventGridTriggers.handle(req, res, url));
  const eventGridOptions: EventGridOptions = {
    ...defaultEventGridOptions,
    pollIntervalMs: options.blobPollIntervalMs ?? 1000,
    faults: eventGridFaults,
    subscriptions: eventGridSubscriptions,
    ...(options.eventGrid || {}),
  };
  const sources: EventGridSource[] = [
    ...blobTriggers.functions.filter((fn) => fn.source === 'EventGrid').map((fn) => ({ ...fn, webhook: 'blobs' as const })),
    ...Object.entries(eventGridOptions.subscriptions).map(([name, container]) => {
      if (!eventGridTriggers.names.includes(name)) throw new Error(`Event Grid subscription for "${name}": no app.eventGrid function has that name.`);
      return { name, container, connection: undefined, pattern: /^/, webhook: 'eventgrid' as const };
    }),
  ];
  // The subscription's endpoint, as Azure's is registered: the extension's webhook with its system key.
  const endpoint = (source: EventGridSource): string => {
    const extension = source.webhook === 'eventgrid' ? EVENTGRID_EXTENSION : BLOBS_EXTENSION;
    const key = systemKey(keys, extension);
    const name = source.webhook === 'eventgrid' ? source.name : `Host.Functions.${source.name}`;
    return `${url}/runtime/webhooks/${source.webhook === 'eventgrid' ? 'eventgrid' : 'blobs'}?functionName=${encodeURIComponent(name)}${key ? `&code=${encodeURIComponent(key)}` : ''}`;
  };
  const httpTriggers = new HttpTriggers(invoker, invoker.functions.values(), {
    routePrefix: config.routePrefix,
    keys,
    httpStreamUri: loaded.httpStreamUri,
    httpStreamServer: loaded.httpStreamServer,
  });
  handlers.push((req, res, url) => httpTriggers.handle(req, res, url));

  const server = await listen(port, handlers, logger);
  port = server.port;
  const url = `http://127.0.0.1:${port}`;
  const queueTriggers = new QueueTriggers(invoker, logger, {
    pollIntervalMs: options.queuePollIntervalMs ?? 1000,
    maxDequeueCount: config.maxDequeueCount,
    ...(realistic ? { maxPollingIntervalMs: config.queueMaxPollingIntervalMs } : {}),
  });
  const timerTriggers = new TimerTriggers(invoker, logger);
  const eventGrid = options.eventGrid === false ? undefined : new EventGridDelivery(sources, logger, eventGridOptions, endpoint);

  // Only once the host is up, so a start-up failure stays the one line it is.
  if (config.ignored.length) {
    logger.warn(`host.json settings dev/host does not emulate (no effect locally, in effect in Azure): ${config.ignored.join(', ')}.`);
  }
  if (loaded.loadWarning) logger.warn(loaded.loadWarning);
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
  eventGrid?.start();
  queueTriggers.start();
  timerTriggers.start();
  // A throw outside any invocation would end this process; in Azure it ends the worker process,
  // the host fails what was running there and starts a new worker. We fail the same invocations
  // and keep this process (the app's module state survives, unlike a real worker restart).
  const onCrash = (error: unknown): void => {
    logger.error(`Worker process crashed (uncaught ${error instanceof Error ? 'exception' : 'rejection'}); failing the running invocations, as Azure does when it restarts the worker: ${describeError(error)}`);
    invoker.failInFlight(new Error(`The worker process exited with an uncaught error: ${error instanceof Error ? error.message : String(error)}`));
  };
  if (options.isolateCrashes ?? true) {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  }

  logger.info(`Host started on ${url} (task hub ${config.hubName}).`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    functions: [...invoker.functions.keys()],
    taskHubName: config.hubName,
    stop: () =>
      (stopping ??= (async () => {
        process.off('uncaughtException', onCrash);
        process.off('unhandledRejection', onCrash);
        timerTriggers.stop();
        await Promise.all([eventGrid?.stop(), blobTriggers.stop(), queueTriggers.stop()]);
        await engine?.stop();
        await server.close();
        await Promise.all((loaded.registry.hooks.get('appTerminate') ?? []).map((hook) => hook({ hookData: {}, appHookData: {} })));
      })()),
  };
}
