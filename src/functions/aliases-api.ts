/**
 * The alias API. `GET /api/aliases` is a read (names, models, scores, times, costs), behind a
 * function key unless RUNS_API_ANONYMOUS opens the run API's reads; promote and rollback change
 * what clients talk to, so they always need a function key in Azure, like cancel. Alias names may contain '/': send them URL-encoded (`lab%2Fsarcasm`).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { AliasConflict } from '../aliases/alias-record.js';
import { AliasStore } from '../aliases/alias-store.js';
import { viewRegistry, type AliasListing } from '../aliases/alias-view.js';
import { winnerScores } from '../evaluation/evaluation-result.js';
import { publishRunNotice } from '../notify/publish.js';
import { getServices } from '../services.js';
import type { RunEventType } from '../runs/run-record.js';
import { applyUpdate } from '../runs/run-store.js';
import { runsReadAuthLevel } from './runs-api.js';

function error(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}

/** Route values arrive decoded by the host; an encoded slash may stay `%2F` on some hosts. */
function aliasParam(request: HttpRequest): string {
  return (request.params['alias'] ?? '').replace(/%2F/gi, '/');
}

async function notify(type: RunEventType, runId: string, dataset: string, data: Record<string, unknown>, context: InvocationContext): Promise<void> {
  const { storage, config, store } = getServices();
  const at = new Date().toISOString();
  // Promotions repeat per run (promote, roll back, promote again): the id carries the time. The
  // event is recorded on the run, so its page and `ftpipe run --json` show what a person did.
  await publishRunNotice(type, { runId, dataset }, data, at, at, { events: storage.events, webhook: config.notify, store, log: (line) => context.warn(line) });
}

export async function listAliases(): Promise<HttpResponseInit> {
  const { storage, config } = getServices();
  const store = new AliasStore(storage.runs);
  const [aliases, deployments, usage] = await Promise.all([store.listAliases(), store.listDeployments(), store.listUsage()]);
  const view = viewRegistry(aliases, deployments, new Map(usage.map((u) => [u.deploymentName, u.lastUsedAt])), config.prices, Date.now());
  return { status: 200, jsonBody: { ...view, currency: config.prices.currency, graceSeconds: config.aliases.graceMs / 1000 } satisfies AliasListing };
}

async function readJsonBody(request: HttpRequest): Promise<Record<string, unknown> | undefined> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function promoteAlias(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const alias = aliasParam(request);
  const body = await readJsonBody(request);
  const runId = body?.['runId'];
  if (typeof runId !== 'string' || runId === '') return error(400, 'invalid_request', 'send {"runId": "<the run whose deployment the alias should serve>"}');
  const { storage, config, store: runs } = getServices();
  const store = new AliasStore(storage.runs);
  // A run with checkpoints made several deployments and removed all but its best: prefer the live one.
  const ofRun = (await store.listDeployments()).filter((d) => d.runId === runId && (d.alias ?? d.dataset) === alias);
  const candidate = ofRun.find((d) => !d.deletedAt) ?? ofRun[0];
  if (!candidate) return error(404, 'deployment_not_found', `run '${runId}' has no deployment for alias '${alias}'`);
  if (candidate.deletedAt) return error(409, 'deployment_deleted', `the deployment ${candidate.deploymentName} of run '${runId}' was deleted (${candidate.deletedReason ?? 'no reason recorded'}); retrain or redeploy it first`);
  const at = new Date().toISOString();
  try {
    const run = await runs.get(runId);
    const { record } = await store.promote(
      alias,
      {
        deploymentName: candidate.deploymentName,
        model: candidate.model,
        runId,
        ...(candidate.baseModel ? { baseModel: candidate.baseModel } : {}),
        ...(candidate.sku ? { sku: candidate.sku } : {}),
        ...(run?.evaluation && winnerScores(run.evaluation) ? { scores: winnerScores(run.evaluation)! } : {}),
      },
      at,
      config.aliases.graceMs,
      'promoted on request',
      run?.options?.lifecycle,
    );
    if (run) {
      await runs.update(runId, (r) => applyUpdate(r, { at, promotion: { alias, promoted: true, mode: 'manual', reason: 'promoted on request', ...(record.previous ? { previousDeployment: record.previous.deploymentName } : {}), at } }));
    }
    await notify('alias.promoted', runId, candidate.dataset, { alias, deployment: candidate.deploymentName, model: candidate.model, previousDeployment: record.previous?.deploymentName ?? null, deleteAfter: record.previous?.deleteAfter ?? null }, context);
    return { status: 200, jsonBody: record };
  } catch (e) {
    if (e instanceof AliasConflict) return error(409, e.code, e.message);
    throw e;
  }
}

export async function rollbackAlias(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const alias = aliasParam(request);
  const { storage, config } = getServices();
  const store = new AliasStore(storage.runs);
  try {
    const { record } = await store.rollback(alias, new Date().toISOString(), config.aliases.graceMs);
    const from = record.previous!;
    await notify('alias.rolled_back', record.current.runId, alias, { alias, deployment: record.current.deploymentName, model: record.current.model, from: from.deploymentName, fromModel: from.model, deleteAfter: from.deleteAfter }, context);
    return { status: 200, jsonBody: record };
  } catch (e) {
    if (e instanceof AliasConflict) return error(e.code === 'alias_not_found' ? 404 : 409, e.code, e.message);
    throw e;
  }
}

// Reads follow the run API's setting (RUNS_API_ANONYMOUS): the same kind of data, the same door.
app.http('listAliases', { route: 'aliases', methods: ['GET'], authLevel: runsReadAuthLevel(), handler: listAliases });
app.http('promoteAlias', { route: 'aliases/{alias}/promote', methods: ['POST'], authLevel: 'function', handler: promoteAlias });
app.http('rollbackAlias', { route: 'aliases/{alias}/rollback', methods: ['POST'], authLevel: 'function', handler: rollbackAlias });
