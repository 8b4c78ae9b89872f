/**
 * The emulator's operation log: every control-plane write (PUT / PATCH / DELETE under
 * /subscriptions/...), accepted or refused, in the shape of an Azure Activity Log entry
 * (Azure Monitor records each ARM write with `operationName`, `status`, `resourceId`,
 * `httpRequest` and the caller's properties). Tests read it from `GET /__emulator/operations` to
 * check what a client did to the resource — for example that no deployment ever changed model.
 * Test inspection only: it is not an Azure API, and it lives under /__emulator like the config.
 */
import type { EmulatorState } from './state.js';

export const OPERATIONS_PATH = '/__emulator/operations';

export interface OperationLogEntry {
  eventTimestamp: string;
  /** `Microsoft.CognitiveServices/accounts/deployments/write` or `.../delete`. */
  operationName: string;
  resourceId: string;
  httpRequest: { method: string };
  /** `Accepted` (2xx) or `Failed`, with ARM's error code when refused. */
  status: 'Accepted' | 'Failed';
  httpStatusCode: number;
  errorCode?: string;
  /** For deployment writes: the model and sku the request asked for. */
  properties: { model?: string; modelVersion?: string; sku?: string };
}

const logs = new WeakMap<EmulatorState, OperationLogEntry[]>();

export function operationLog(state: EmulatorState): OperationLogEntry[] {
  let log = logs.get(state);
  if (!log) {
    log = [];
    logs.set(state, log);
  }
  return log;
}

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE']);

function operationName(method: string, pathname: string): string {
  // `/subscriptions/.../providers/Microsoft.CognitiveServices/accounts/<a>/deployments/<d>` → resource type segments.
  const parts = pathname.split('/').filter(Boolean);
  const provider = parts.findIndex((p) => p.toLowerCase() === 'providers');
  const typeSegments = provider >= 0 ? [parts[provider + 1] ?? '', ...parts.slice(provider + 2).filter((_, i) => i % 2 === 0)] : ['unknown'];
  return `${typeSegments.join('/')}/${method === 'DELETE' ? 'delete' : 'write'}`;
}

/** Records one ARM write; `body` is the request body (read only for the model and sku it names). */
export function recordOperation(state: EmulatorState, method: string, pathname: string, body: Buffer, status: number, errorCode: string | undefined, at: number): void {
  if (!WRITE_METHODS.has(method)) return;
  const properties: OperationLogEntry['properties'] = {};
  if (method !== 'DELETE') {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { properties?: { model?: { name?: unknown; version?: unknown } }; sku?: { name?: unknown } };
      if (typeof parsed.properties?.model?.name === 'string') properties.model = parsed.properties.model.name;
      if (typeof parsed.properties?.model?.version === 'string') properties.modelVersion = parsed.properties.model.version;
      if (typeof parsed.sku?.name === 'string') properties.sku = parsed.sku.name;
    } catch {
      // An unparsable body was refused by the handler; the entry still records the attempt.
    }
  }
  operationLog(state).push({
    eventTimestamp: new Date(at).toISOString(),
    operationName: operationName(method, pathname),
    resourceId: pathname,
    httpRequest: { method },
    status: status < 400 ? 'Accepted' : 'Failed',
    httpStatusCode: status,
    ...(errorCode ? { errorCode } : {}),
    properties,
  });
}
