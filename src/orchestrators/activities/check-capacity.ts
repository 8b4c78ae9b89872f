import * as df from 'durable-functions';
import { AliasStore } from '../../aliases/alias-store.js';
import { isValidDeploymentName } from '../../aliases/deployment-name.js';
import { evictionCandidate, fineTunedCount, listLiveDeployments, startDelete } from '../../aliases/deployment-ops.js';
import { PermanentFailure, runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

export const CHECK_CAPACITY = 'checkCapacity';
export interface CheckCapacityInput {
  deploymentName: string;
  /** Before training only looks; before deploying, `evict-lru` may free a slot. */
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

/**
 * Is there room for one more fine-tuned deployment? The name is checked against ARM's rules and
 * the resource's fine-tuned deployments are counted against DEPLOYMENT_QUOTA. With the
 * `evict-lru` policy, the least recently used deployment this app made that no alias points at is
 * deleted to make room; with `wait`, the orchestration waits and notifies.
 */
df.app.activity(CHECK_CAPACITY, {
  handler: (input: CheckCapacityInput) =>
    runActivity(async (): Promise<Capacity> => {
      if (!isValidDeploymentName(input.deploymentName)) {
        throw new PermanentFailure('InvalidResourceName', `the deployment name '${input.deploymentName}' breaks ARM's rules (2-64 letters, digits, '_', '-', '.', starting with a letter or digit)`);
      }
      const { arm, config, storage } = getServices();
      const live = await listLiveDeployments(arm, config.arm);
      if (live.some((d) => d.name.toLowerCase() === input.deploymentName.toLowerCase())) {
        // Ours from an earlier attempt of this run: it already holds its slot.
        return { used: fineTunedCount(live), limit: config.aliases.quota, free: true, policy: config.aliases.quotaPolicy };
      }
      const used = fineTunedCount(live);
      const result: Capacity = { used, limit: config.aliases.quota, free: used < config.aliases.quota, policy: config.aliases.quotaPolicy };
      if (result.free || !input.mayEvict || config.aliases.quotaPolicy !== 'evict-lru') return result;
      const store = new AliasStore(storage.runs);
      const [records, aliases, usage] = await Promise.all([store.listDeployments(), store.listAliases(), store.listUsage()]);
      const protectedNames = new Set(aliases.flatMap((a) => [a.current.deploymentName, ...(a.previous ? [a.previous.deploymentName] : [])]));
      const victim = evictionCandidate(records, live, protectedNames, new Map(usage.map((u) => [u.deploymentName, u.lastUsedAt])));
      if (!victim) return result;
      await startDelete(arm, config.arm, victim.deploymentName);
      await store.markDeleted(victim.deploymentName, input.at, `evicted (least recently used, no alias) to make room for ${input.deploymentName}`);
      return { ...result, free: true, evicted: victim.deploymentName };
    }),
});
