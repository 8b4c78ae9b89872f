/**
 * Is there room for one more fine-tuned deployment? The name is checked against ARM's rules and
 * the resource's fine-tuned deployments are counted against DEPLOYMENT_QUOTA. With the
 * `evict-lru` policy, the least recently used deployment this app made that no alias points at is
 * deleted to make room; with `wait`, the caller (the orchestration) waits and notifies.
 */
import type { Services } from '../services.js';
import { PermanentFailure } from '../orchestrators/activity-result.js';
import { AliasStore } from './alias-store.js';
import { isValidDeploymentName } from './deployment-name.js';
import { evictionCandidate, fineTunedCount, isFineTunedModel, listLiveDeployments, startDelete } from './deployment-ops.js';

export interface CapacityRequest {
  deploymentName: string;
  /** Before training the check only looks; before deploying, `evict-lru` may free a slot. */
  mayEvict: boolean;
  at: string;
}
export interface Capacity {
  used: number;
  limit: number;
  free: boolean;
  policy: string;
  evicted?: string;
}

export async function checkCapacity(services: Pick<Services, 'arm' | 'config' | 'storage'>, input: CapacityRequest): Promise<Capacity> {
  if (!isValidDeploymentName(input.deploymentName)) {
    throw new PermanentFailure('InvalidResourceName', `the deployment name '${input.deploymentName}' breaks ARM's rules (2-64 letters, digits, '_', '-', '.', starting with a letter or digit)`);
  }
  const { arm, config, storage } = services;
  const live = await listLiveDeployments(arm, config.arm);
  const used = fineTunedCount(live);
  const result: Capacity = { used, limit: config.aliases.quota, free: used < config.aliases.quota, policy: config.aliases.quotaPolicy };
  // Ours from an earlier attempt of this run: it already holds its slot.
  if (live.some((d) => d.name.toLowerCase() === input.deploymentName.toLowerCase())) return { ...result, free: true };
  if (result.free || !input.mayEvict || config.aliases.quotaPolicy !== 'evict-lru') return result;
  // A slot is already being freed (an earlier eviction whose delete is still running counts
  // against the quota until it is gone): wait for it instead of evicting a second deployment.
  if (live.some((d) => d.provisioningState === 'Deleting' && isFineTunedModel(d.model))) return result;
  const store = new AliasStore(storage.runs);
  const [records, aliases, usage] = await Promise.all([store.listDeployments(), store.listAliases(), store.listUsage()]);
  const protectedNames = new Set(aliases.flatMap((a) => [a.current.deploymentName, ...(a.previous ? [a.previous.deploymentName] : [])]));
  const victim = evictionCandidate(records, live, protectedNames, new Map(usage.map((u) => [u.deploymentName, u.lastUsedAt])));
  if (!victim) return result;
  await startDelete(arm, config.arm, victim.deploymentName);
  await store.markDeleted(victim.deploymentName, input.at, `evicted (least recently used, no alias) to make room for ${input.deploymentName}`);
  return { ...result, free: true, evicted: victim.deploymentName };
}
