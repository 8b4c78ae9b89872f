import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAppSettings } from './binding-expressions.js';
import { LOG_LEVELS, LogLevels, type LogLevelName } from './logger.js';

/**
 * The parts of host.json dev/host honours, with the Functions host's defaults (host.json
 * reference, learn.microsoft.com/azure/azure-functions/functions-host-json, and the queue and
 * Durable Functions sections it links).
 */
export interface HostConfig {
  routePrefix: string;
  hubName: string;
  /** Why the configured hub name could not be used (an unset %SETTING%), if so. */
  hubNameProblem?: string;
  /** `functionTimeout`; undefined = unbounded (`-1`). Default 30 min, the Flex Consumption default. */
  functionTimeoutMs: number | undefined;
  /** `extensions.queues.messageEncoding`: how queue messages are written and read. */
  queueMessageEncoding: 'base64' | 'none';
  /** `extensions.queues.maxDequeueCount` (default 5): queue trigger and blob trigger attempts before poison. */
  maxDequeueCount: number;
  /** `extensions.queues.maxPollingInterval` (default 1 min): the back-off cap of an idle queue poller. */
  queueMaxPollingIntervalMs: number;
  /** `extensions.durableTask.maxConcurrentActivityFunctions` (default 10 on Consumption). */
  maxConcurrentActivityFunctions: number;
  /** `extensions.durableTask.maxConcurrentOrchestratorFunctions` (default 10 on Consumption). */
  maxConcurrentOrchestratorFunctions: number;
  /** `extensions.durableTask.storageProvider.maxQueuePollingInterval` (default 30 s). */
  durableMaxQueuePollingIntervalMs: number;
  /** `logging.logLevel`: the minimum level per log category (see LogLevels). */
  logLevels: LogLevels;
  /** host.json settings present that dev/host does not act on, as dotted paths. */
  ignored: string[];
}

interface HostJson {
  [key: string]: unknown;
}

/** `hh:mm:ss` (or `d.hh:mm:ss`) as .NET TimeSpan parses it; `-1` means no limit. */
export function parseTimeSpan(value: unknown, setting: string): number | undefined {
  if (value === -1 || value === '-1') return undefined;
  const match = typeof value === 'string' ? /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim()) : null;
  if (!match) throw new Error(`host.json: ${setting} must be a time span like "00:10:00" or -1 (got ${JSON.stringify(value)}).`);
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + Number(`0.${fraction}`) * 1000;
}

function positiveInteger(value: unknown, setting: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`host.json: ${setting} must be a positive integer (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** The settings dev/host acts on; everything else found in host.json is reported as ignored. */
const honoured = [
  'version',
  'logging.logLevel',
  'functionTimeout',
  'extensionBundle', // dev/host implements its bindings itself; the bundle is what Azure loads
  'extensions.http.routePrefix',
  'extensions.queues.messageEncoding',
  'extensions.queues.maxDequeueCount',
  'extensions.queues.maxPollingInterval',
  'extensions.durableTask.hubName',
  'extensions.durableTask.maxConcurrentActivityFunctions',
  'extensions.durableTask.maxConcurrentOrchestratorFunctions',
  'extensions.durableTask.storageProvider.type',
  'extensions.durableTask.storageProvider.connectionName',
  'extensions.durableTask.storageProvider.connectionStringName',
  'extensions.durableTask.storageProvider.maxQueuePollingInterval',
  // Only changes what the extension logs to Application Insights; nothing to emulate.
  'extensions.durableTask.tracing',
];

function leafPaths(value: unknown, prefix: string[]): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([key, child]) => {
    const next = [...prefix, key];
    return honoured.includes(next.join('.')) ? [] : leafPaths(child, next);
  });
}

const at = (json: HostJson, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), json);

/** `logging.logLevel`: category → Trace | Debug | Information | Warning | Error | Critical | None. */
export function parseLogLevels(value: unknown): LogLevels {
  if (value === undefined) return new LogLevels();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`host.json: logging.logLevel must be an object of category: level (got ${JSON.stringify(value)}).`);
  }
  const levels: Record<string, LogLevelName> = {};
  for (const [category, level] of Object.entries(value as Record<string, unknown>)) {
    const name = typeof level === 'string' ? level.trim().toLowerCase() : '';
    if (!(name in LOG_LEVELS)) {
      throw new Error(`host.json: logging.logLevel.${category} must be one of Trace, Debug, Information, Warning, Error, Critical, None (got ${JSON.stringify(level)}).`);
    }
    levels[category] = name as LogLevelName;
  }
  return new LogLevels(levels);
}

/** Reads host.json from the app root; a missing file means the host's defaults. */
export function readHostConfig(appRoot: string): HostConfig {
  let json: HostJson = {};
  try {
    json = JSON.parse(readFileSync(path.join(appRoot, 'host.json'), 'utf8')) as HostJson;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`host.json in ${appRoot} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const prefix = String(at(json, 'extensions.http.routePrefix') ?? 'api');
  const hub = String(at(json, 'extensions.durableTask.hubName') ?? 'TestHubName');
  const routePrefix = prefix.replace(/^\/+|\/+$/g, '');
  const encoding = String(at(json, 'extensions.queues.messageEncoding') ?? 'base64').toLowerCase();
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new Error(`host.json: extensions.queues.messageEncoding must be "base64" or "none" (got ${JSON.stringify(encoding)}).`);
  }
  const common = {
    routePrefix,
    logLevels: parseLogLevels(at(json, 'logging.logLevel')),
    functionTimeoutMs: at(json, 'functionTimeout') === undefined ? 30 * 60_000 : parseTimeSpan(at(json, 'functionTimeout'), 'functionTimeout'),
    queueMessageEncoding: encoding,
    maxDequeueCount: positiveInteger(at(json, 'extensions.queues.maxDequeueCount'), 'extensions.queues.maxDequeueCount', 5),
    queueMaxPollingIntervalMs:
      at(json, 'extensions.queues.maxPollingInterval') === undefined
        ? 60_000
        : (parseTimeSpan(at(json, 'extensions.queues.maxPollingInterval'), 'extensions.queues.maxPollingInterval') ?? 60_000),
    maxConcurrentActivityFunctions: positiveInteger(at(json, 'extensions.durableTask.maxConcurrentActivityFunctions'), 'extensions.durableTask.maxConcurrentActivityFunctions', 10),
    maxConcurrentOrchestratorFunctions: positiveInteger(
      at(json, 'extensions.durableTask.maxConcurrentOrchestratorFunctions'),
      'extensions.durableTask.maxConcurrentOrchestratorFunctions',
      10,
    ),
    durableMaxQueuePollingIntervalMs:
      at(json, 'extensions.durableTask.storageProvider.maxQueuePollingInterval') === undefined
        ? 30_000
        : (parseTimeSpan(at(json, 'extensions.durableTask.storageProvider.maxQueuePollingInterval'), 'extensions.durableTask.storageProvider.maxQueuePollingInterval') ?? 30_000),
    // Named down to three levels (`extensions.queues.batchSize`), two for logging's categories.
    ignored: [...new Set(leafPaths(json, []).filter((p) => p.length > 0).map((p) => p.slice(0, p[0] === 'logging' ? 2 : 3).join('.')))],
  } satisfies Omit<HostConfig, 'hubName' | 'hubNameProblem'>;
  try {
    return { ...common, hubName: resolveAppSettings(hub) || 'TestHubName' };
  } catch (error) {
    // Locally an unset hub setting is not fatal: fall back to the extension's default name.
    return { ...common, hubName: 'TestHubName', hubNameProblem: (error as Error).message };
  }
}
