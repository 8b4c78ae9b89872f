/**
 * Deployment operations through Azure Resource Manager that the gate, the alias API, the chat
 * endpoint and the lifecycle timer share. None of them ever PUTs a model onto a deployment that
 * serves another one: a PUT happens only for a name that does not exist (a new candidate, or a
 * deployment Azure deleted), with the model the registry recorded for that name.
 */
import type { CognitiveServicesManagementClient } from '@azure/arm-cognitiveservices';
import type { AppConfig } from '../config.js';
import { classifyError } from '../azure/service-errors.js';
import type { DeploymentRecord } from '../runs/deployment-registry.js';

type Arm = Pick<CognitiveServicesManagementClient, 'deployments'>;
type ArmSettings = Pick<AppConfig['arm'], 'resourceGroup' | 'account'>;

export interface LiveDeployment {
  name: string;
  model: string;
  provisioningState: string;
}

/**
 * Fine-tuned models are named `<base>.ft-<id>` on Azure OpenAI (`ft:` on OpenAI; checkpoints
 * `:ckpt-step-N`); a deployed checkpoint serves its checkpoint id `ftchkpt-<id>` (Azure's
 * fine-tuning how-to), and it takes a fine-tuned deployment slot like any fine-tuned model.
 */
export function isFineTunedModel(model: string): boolean {
  return /\.ft-[0-9a-z]+/i.test(model) || model.startsWith('ft:') || /^ftchkpt-[0-9a-z]+$/i.test(model);
}

export async function listLiveDeployments(arm: Arm, settings: ArmSettings): Promise<LiveDeployment[]> {
  const out: LiveDeployment[] = [];
  for await (const d of arm.deployments.list(settings.resourceGroup, settings.account)) {
    out.push({ name: d.name ?? '', model: d.properties?.model?.name ?? '', provisioningState: d.properties?.provisioningState ?? 'Unknown' });
  }
  return out;
}

export function fineTunedCount(live: readonly LiveDeployment[], except?: string): number {
  return live.filter((d) => isFineTunedModel(d.model) && d.name.toLowerCase() !== except?.toLowerCase() && d.provisioningState !== 'Failed').length;
}

/** Starts a delete; a deployment that is already gone counts as deleted (ARM deletes are idempotent). */
export async function startDelete(arm: Arm, settings: ArmSettings, name: string): Promise<void> {
  try {
    await arm.deployments.beginDelete(settings.resourceGroup, settings.account, name);
  } catch (error) {
    const { failure } = classifyError(error);
    if (failure.status === 404) return;
    throw error;
  }
}

export type EnsureOutcome =
  | { state: 'ready' }
  | { state: 'provisioning'; started: boolean }
  | { state: 'failed'; message: string }
  | { state: 'conflict'; message: string };

/**
 * Makes sure the recorded deployment exists: when Azure has deleted it (idle for 15 days, or by
 * hand), it is created again with the same model. A deployment of that name serving ANOTHER model
 * is left alone (someone else owns it now) and reported as a conflict.
 */
export async function ensureDeployed(arm: Arm, settings: ArmSettings, record: DeploymentRecord, defaults: { sku: string; capacity: number }): Promise<EnsureOutcome> {
  try {
    const existing = await arm.deployments.get(settings.resourceGroup, settings.account, record.deploymentName);
    const model = existing.properties?.model?.name;
    if (model && model !== record.model) {
      return { state: 'conflict', message: `deployment ${record.deploymentName} now serves ${model}, not ${record.model}; it is left alone` };
    }
    const state = existing.properties?.provisioningState ?? 'Unknown';
    if (state === 'Succeeded') return { state: 'ready' };
    if (state === 'Failed') return { state: 'failed', message: `deployment ${record.deploymentName} is in provisioning state Failed` };
    return { state: 'provisioning', started: false };
  } catch (error) {
    if (classifyError(error).failure.status !== 404) throw error;
  }
  try {
    await arm.deployments.beginCreateOrUpdate(settings.resourceGroup, settings.account, record.deploymentName, {
      sku: { name: record.sku ?? defaults.sku, capacity: record.capacity ?? defaults.capacity },
      properties: { model: { format: 'OpenAI', name: record.model, version: '1' } },
    });
    return { state: 'provisioning', started: true };
  } catch (error) {
    const { failure } = classifyError(error);
    // Another request started the same creation a moment ago.
    if (failure.status === 409) return { state: 'provisioning', started: false };
    throw error;
  }
}

/**
 * The app-made deployment to evict when the quota is full: the least recently used one that no
 * alias points at (current or previous) and that is not the one being made. Deployments the app
 * did not make are never touched.
 */
export function evictionCandidate(
  records: readonly DeploymentRecord[],
  live: readonly LiveDeployment[],
  protectedNames: ReadonlySet<string>,
  lastUsed: ReadonlyMap<string, string>,
): DeploymentRecord | undefined {
  const liveNames = new Set(live.map((d) => d.name.toLowerCase()));
  const candidates = records.filter((r) => !r.deletedAt && liveNames.has(r.deploymentName.toLowerCase()) && !protectedNames.has(r.deploymentName));
  const lastActivity = (r: DeploymentRecord): string => lastUsed.get(r.deploymentName) ?? r.createdAt ?? r.updatedAt;
  return candidates.sort((a, b) => (lastActivity(a) < lastActivity(b) ? -1 : lastActivity(a) > lastActivity(b) ? 1 : a.deploymentName.localeCompare(b.deploymentName)))[0];
}
