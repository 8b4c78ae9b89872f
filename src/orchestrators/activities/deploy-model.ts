import * as df from 'durable-functions';
import { classifyError } from '../../azure/service-errors.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const DEPLOY_MODEL = 'deployModel';
export interface DeployModelInput {
  name: string;
  model: string;
  sku: string;
  capacity: number;
}

/**
 * Starts the ARM deployment (PUT) and returns at once: the orchestration watches provisioning with
 * durable timers rather than holding an activity for minutes. A PUT of the same deployment is
 * idempotent; a 409 "another operation is in progress" after a retry means ours was accepted.
 * Returns the poller's serialized state, so deploymentStatus can read the operation's error.
 */
df.app.activity(DEPLOY_MODEL, {
  handler: (input: DeployModelInput) =>
    runActivity(async (): Promise<string | null> => {
      const { arm, config } = getServices();
      try {
        const poller = await arm.deployments.beginCreateOrUpdate(config.arm.resourceGroup, config.arm.account, input.name, {
          sku: { name: input.sku, capacity: input.capacity },
          properties: { model: { format: 'OpenAI', name: input.model, version: '1' } },
        });
        return poller.toString();
      } catch (error) {
        const { failure } = classifyError(error);
        if (failure.status === 409 && failure.code === 'RequestConflict') return null;
        throw error;
      }
    }),
});
