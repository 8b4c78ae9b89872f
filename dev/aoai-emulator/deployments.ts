/**
 * Azure Resource Manager: `Microsoft.CognitiveServices/accounts/deployments`. PUT and DELETE are
 * long-running operations as ARM runs them: the first answer carries an `Azure-AsyncOperation`
 * header pointing at an operation status resource that reads `InProgress` until the change is
 * done `deploySeconds` later, then `Succeeded` (or `Failed`/`Canceled` with an error) — which is
 * exactly what `@azure/arm-cognitiveservices`' `beginCreateOrUpdateAndWait` / `beginDeleteAndWait` poll.
 *
 * provisioningState [spec-arm DeploymentProvisioningState]: `Accepted` for the first fifth of the
 * provisioning time, then `Creating`, then `Succeeded`; an injected fault ends in `Failed`,
 * `Canceled` or `Disabled`. There is no `Updating` in the description, so an update (sku or
 * capacity) runs through the same states. A PUT that changes the model of an existing deployment
 * is refused with `CannotChangeDeploymentModel` (public reports: Azure-Samples/azure-search-openai-demo
 * issues #1429, #1330, #1121 quote "The model of deployment cannot be changed.").
 */
import { FINE_TUNABLE_MODELS, LIMITS } from './azure-facts.js';
import { armError } from './errors.js';
import { json, jsonBody, type RequestContext, type Reply } from './http.js';
import type { EmulatorState, ModelRef, PendingChange, Sku, StoredDeployment, StoredOperation } from './state.js';

/** Azure's limit of fine-tuned model deployments per resource (azure-facts.ts). */
export const MAX_FINE_TUNED_DEPLOYMENTS = LIMITS.maxFineTunedDeployments;
/** Share of `deploySeconds` a new change reads `Accepted` before `Creating`. */
const ACCEPTED_SHARE = 0.2;
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$/;
const BASE_MODEL_NAMES = new Set(FINE_TUNABLE_MODELS.flatMap((m) => [m.id, ...m.aliases]));

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function accountKey(ctx: RequestContext): string {
  const { subscriptionId, resourceGroup, account } = ctx.params;
  return `${subscriptionId}/${resourceGroup}/${account}`.toLowerCase();
}

function deploymentKey(ctx: RequestContext): string {
  return `${accountKey(ctx)}/${(ctx.params['deployment'] ?? '').toLowerCase()}`;
}

function isFineTuned(state: EmulatorState, model: ModelRef): boolean {
  return state.models.has(model.name) || /\.ft-[0-9a-z]+/i.test(model.name);
}

export function deploymentObject(d: StoredDeployment): Record<string, unknown> {
  const target = d.pending && d.pending.kind !== 'delete' ? d.pending : d;
  return {
    id: d.resourceId,
    name: d.name,
    type: 'Microsoft.CognitiveServices/accounts/deployments',
    sku: { name: target.sku.name, capacity: target.sku.capacity },
    properties: {
      model: { ...target.model },
      provisioningState: d.provisioningState,
      versionUpgradeOption: 'NoAutoUpgrade',
      currentCapacity: target.sku.capacity,
      capabilities: { chatCompletion: 'true' },
      ...(d.raiPolicyName ? { raiPolicyName: d.raiPolicyName } : {}),
    },
    systemData: {
      createdBy: 'emulator',
      createdByType: 'Application',
      createdAt: iso(d.createdAt),
      lastModifiedBy: 'emulator',
      lastModifiedByType: 'Application',
      lastModifiedAt: iso(d.modifiedAt),
    },
  };
}

/** Applies provisioning results that became due. */
export function advanceDeployments(state: EmulatorState, now: number): void {
  for (const [key, d] of state.deployments) {
    const change = d.pending;
    if (!change) continue;
    if (change.kind !== 'delete' && d.provisioningState === 'Accepted' && change.acceptedUntil <= now) d.provisioningState = 'Creating';
    if (change.completeAt > now) continue;
    d.pending = null;
    d.modifiedAt = change.completeAt;
    change.operation.endTime = change.completeAt;
    if (change.kind === 'delete') {
      state.deployments.delete(key);
      change.operation.status = 'Succeeded';
    } else if (change.failWith) {
      const end = change.failWith.provisioningState ?? 'Failed';
      d.provisioningState = end;
      // ARM's operation status knows Succeeded, Failed and Canceled; a disabled deployment's operation failed.
      change.operation.status = end === 'Canceled' ? 'Canceled' : 'Failed';
      change.operation.error = { code: change.failWith.code, message: change.failWith.message };
    } else {
      d.model = change.model;
      d.sku = change.sku;
      d.serving = change.model;
      d.provisioningState = 'Succeeded';
      change.operation.status = 'Succeeded';
    }
  }
}

/** The model a data-plane deployment name serves, if it is provisioned. */
export function findServingDeployment(state: EmulatorState, name: string): ModelRef | null {
  const wanted = name.toLowerCase();
  for (const d of state.deployments.values()) {
    if (d.name.toLowerCase() !== wanted || !d.serving) continue;
    // An update (sku, capacity) keeps the model serving while it is provisioned, as on Azure.
    if (d.provisioningState !== 'Failed' && d.provisioningState !== 'Disabled' && d.provisioningState !== 'Deleting') return d.serving;
  }
  return null;
}

function startOperation(ctx: RequestContext, kind: PendingChange['kind'], model: ModelRef, sku: Sku): PendingChange {
  const { state, now } = ctx;
  const id = state.ids.hex(32);
    const path = `/subscriptions/${ctx.params['subscriptionId']}/providers/Microsoft.CognitiveServices/locations/${state.location}/operationStatuses/${id}`;
  const operation: StoredOperation = { id, path, status: 'InProgress', startTime: now, endTime: null, error: null };
  state.operations.set(id, operation);
  const failWith = kind === 'delete' ? null : state.takeFault('failNextDeployment');
  const duration = state.config.deploySeconds * 1000;
  return { kind, acceptedUntil: now + duration * ACCEPTED_SHARE, completeAt: now + duration, model, sku, failWith, operation };
}

function operationHeaders(ctx: RequestContext, operation: StoredOperation): Record<string, string> {
  return { 'azure-asyncoperation': `${ctx.origin}${operation.path}?api-version=${encodeURIComponent(ctx.apiVersion ?? '')}` };
}

function parseModel(state: EmulatorState, body: Record<string, unknown>): ModelRef {
  const properties = body['properties'];
  const model = properties && typeof properties === 'object' ? (properties as Record<string, unknown>)['model'] : undefined;
  if (!model || typeof model !== 'object') {
    throw armError(400, 'InvalidResourceProperties', "The deployment's 'properties.model' is required.");
  }
  const { format, name, version } = model as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    throw armError(400, 'InvalidResourceProperties', "The deployment's 'properties.model.name' is required.");
  }
  const ref: ModelRef = {
    format: typeof format === 'string' && format !== '' ? format : 'OpenAI',
    name,
    version: typeof version === 'string' && version !== '' ? version : '1',
  };
  if (ref.format !== 'OpenAI') {
    throw armError(400, 'DeploymentModelNotSupported', `The model format '${ref.format}' is not supported by this Azure OpenAI resource; use 'OpenAI'.`);
  }
  if (!state.models.has(name) && !BASE_MODEL_NAMES.has(name)) {
    const why = isFineTuned(state, ref)
      ? 'no succeeded fine-tuning job of this resource produced a model of that name'
      : 'it is neither a known base model nor a fine-tuned model of this resource';
    throw armError(
      400,
      'DeploymentModelNotSupported',
      `The model 'Format: ${ref.format}, Name: ${name}, Version: ${ref.version}' of account deployment is not supported: ${why}.`,
    );
  }
  return ref;
}

function parseSku(body: Record<string, unknown>): Sku {
  const sku = body['sku'];
  if (!sku || typeof sku !== 'object') throw armError(400, 'InvalidResourceProperties', "The deployment's 'sku' is required (for example {\"name\": \"Standard\", \"capacity\": 1}).");
  const { name, capacity } = sku as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') throw armError(400, 'InvalidResourceProperties', "The deployment's 'sku.name' is required.");
  if (capacity !== undefined && !(typeof capacity === 'number' && Number.isInteger(capacity) && capacity >= 1)) {
    throw armError(400, 'InvalidResourceProperties', `Invalid 'sku.capacity' ${JSON.stringify(capacity)}: expected a whole number of at least 1.`);
  }
  return { name, capacity: (capacity as number | undefined) ?? 1 };
}

export function putDeployment(ctx: RequestContext): Reply {
  const { state, now } = ctx;
  const name = ctx.params['deployment'] ?? '';
  if (!DEPLOYMENT_NAME.test(name)) {
    throw armError(400, 'InvalidResourceName', `The deployment name '${name}' is invalid: use 2-64 letters, digits, '_', '-' or '.', starting with a letter or digit.`);
  }
  const body = jsonBody(ctx);
  const model = parseModel(state, body);
  const sku = parseSku(body);
  const key = deploymentKey(ctx);
  const existing = state.deployments.get(key);
  if (existing?.pending) {
    throw armError(409, 'RequestConflict', `Cannot modify deployment '${existing.name}': another operation is in progress (provisioningState '${existing.provisioningState}').`);
  }
  if (existing && existing.model.name !== model.name) {
    // ARM's answer to swapping the model of an existing deployment (see the header comment).
    throw armError(400, 'CannotChangeDeploymentModel', 'The model of deployment cannot be changed.');
  }
  if (isFineTuned(state, model) && !(existing && isFineTuned(state, existing.model))) {
    const account = accountKey(ctx);
    const used = [...state.deployments.values()].filter(
      (d) => d.accountKey === account && !['Failed', 'Canceled', 'Disabled'].includes(d.provisioningState) && isFineTuned(state, d.pending?.model ?? d.model),
    ).length;
    if (used >= MAX_FINE_TUNED_DEPLOYMENTS) {
      throw armError(
        400,
        'InsufficientQuota',
        `This operation require 1 new capacity in quota Fine-tuned model deployments, which is bigger than the current available ` +
          `capacity 0. The current quota usage is ${used} and the quota limit is ${MAX_FINE_TUNED_DEPLOYMENTS} for quota Fine-tuned model deployments.`,
      );
    }
  }
  const raiPolicyName = (body['properties'] as Record<string, unknown>)['raiPolicyName'];
  const change = startOperation(ctx, existing ? 'update' : 'create', model, sku);
  const deployment: StoredDeployment = existing ?? {
    resourceId: `/subscriptions/${ctx.params['subscriptionId']}/resourceGroups/${ctx.params['resourceGroup']}/providers/Microsoft.CognitiveServices/accounts/${ctx.params['account']}/deployments/${name}`,
    accountKey: accountKey(ctx),
    name,
    model,
    sku,
    raiPolicyName: null,
    provisioningState: 'Accepted',
    serving: null,
    pending: null,
    createdAt: now,
    modifiedAt: now,
  };
  deployment.pending = change;
  deployment.provisioningState = 'Accepted';
  deployment.modifiedAt = now;
  if (typeof raiPolicyName === 'string') deployment.raiPolicyName = raiPolicyName;
  state.deployments.set(key, deployment);
  return json(existing ? 200 : 201, deploymentObject(deployment), operationHeaders(ctx, change.operation));
}

export function getDeployment(ctx: RequestContext): Reply {
  const deployment = ctx.state.deployments.get(deploymentKey(ctx));
  if (!deployment) {
    // ARM's own wording for a missing Cognitive Services deployment.
    throw armError(404, 'NotFound', `Specified resource '${decodeURIComponent(ctx.url.pathname)}' cannot be found.`);
  }
  return json(200, deploymentObject(deployment));
}

export function listDeployments(ctx: RequestContext): Reply {
  const account = accountKey(ctx);
  const value = [...ctx.state.deployments.values()].filter((d) => d.accountKey === account).map(deploymentObject);
  return json(200, { value });
}

export function deleteDeployment(ctx: RequestContext): Reply {
  const deployment = ctx.state.deployments.get(deploymentKey(ctx));
  // ARM deletes are idempotent: deleting what does not exist succeeds with 204.
  if (!deployment) return { status: 204 };
  if (deployment.pending?.kind === 'delete') return { status: 202, headers: operationHeaders(ctx, deployment.pending.operation) };
  if (deployment.pending) {
    throw armError(409, 'RequestConflict', `Cannot delete deployment '${deployment.name}': another operation is in progress (provisioningState '${deployment.provisioningState}').`);
  }
  const change = startOperation(ctx, 'delete', deployment.model, deployment.sku);
  deployment.pending = change;
  deployment.provisioningState = 'Deleting';
  deployment.serving = null;
  return { status: 202, headers: operationHeaders(ctx, change.operation) };
}

export function getOperationStatus(ctx: RequestContext): Reply {
  const operation = ctx.state.operations.get(ctx.params['operationId'] ?? '');
  if (!operation) throw armError(404, 'NotFound', `Operation '${ctx.params['operationId']}' was not found.`);
  return json(200, {
    id: operation.path,
    name: operation.id,
    status: operation.status,
    startTime: iso(operation.startTime),
    ...(operation.endTime === null ? {} : { endTime: iso(operation.endTime) }),
    ...(operation.error ? { error: { code: operation.error.code, message: operation.error.message } } : {}),
  });
}
