import * as df from 'durable-functions';
import type { AliasTarget } from '../../aliases/alias-record.js';
import { AliasConflict, AliasStore } from '../../aliases/alias-store.js';
import type { LifecycleOptions } from '../../runs/release-options.js';
import { PermanentFailure, runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const PROMOTE_ALIAS = 'switchAlias';
export interface PromoteAliasInput {
  alias: string;
  target: Omit<AliasTarget, 'since'>;
  reason: string;
  at: string;
  lifecycle?: LifecycleOptions;
}
export interface PromotedAlias {
  previous?: string;
  deleteAfter?: string;
}

/** Switches the alias to the candidate (one conditional write); the old deployment stays for the grace period. */
df.app.activity(PROMOTE_ALIAS, {
  handler: (input: PromoteAliasInput) =>
    runActivity(async (): Promise<PromotedAlias> => {
      const { storage, config } = getServices();
      const store = new AliasStore(storage.runs);
      try {
        const { record } = await store.promote(input.alias, input.target, input.at, config.aliases.graceMs, input.reason, input.lifecycle);
        return record.previous ? { previous: record.previous.deploymentName, deleteAfter: record.previous.deleteAfter } : {};
      } catch (error) {
        // A retried activity whose first attempt switched the alias already.
        if (error instanceof AliasConflict && error.code === 'already_current') {
          const record = await store.getAlias(input.alias);
          return record?.previous ? { previous: record.previous.deploymentName, deleteAfter: record.previous.deleteAfter } : {};
        }
        if (error instanceof AliasConflict) throw new PermanentFailure(error.code, error.message);
        throw error;
      }
    }),
});
