import * as df from 'durable-functions';
import { AliasStore } from '../../aliases/alias-store.js';
import { startDelete } from '../../aliases/deployment-ops.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const REMOVE_DEPLOYMENT = 'removeDeployment';
export interface RemoveDeploymentInput {
  name: string;
  reason: string;
  at: string;
}

/** Deletes a deployment (ARM, idempotent) and records it as deleted in the registry. */
df.app.activity(REMOVE_DEPLOYMENT, {
  handler: (input: RemoveDeploymentInput) =>
    runActivity(async () => {
      const { arm, config, storage } = getServices();
      await startDelete(arm, config.arm, input.name);
      await new AliasStore(storage.runs).markDeleted(input.name, input.at, input.reason);
      return null;
    }),
});
