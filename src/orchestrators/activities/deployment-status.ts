import * as df from 'durable-functions';
import { runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

export const DEPLOYMENT_STATUS = 'deploymentStatus';
export interface DeploymentStatusInput {
  name: string;
  /** The poller state deployModel returned, to read a failed operation's error. */
  pollerState: string | null;
}
export interface DeploymentStatus {
  provisioningState: string;
  model?: string;
  error?: string;
}

/** One look at the deployment's provisioning state; for `Failed`, ARM's error message from the operation. */
df.app.activity(DEPLOYMENT_STATUS, {
  handler: (input: DeploymentStatusInput) =>
    runActivity(async (): Promise<DeploymentStatus> => {
      const { arm, config } = getServices();
      const deployment = await arm.deployments.get(config.arm.resourceGroup, config.arm.account, input.name);
      const state = deployment.properties?.provisioningState ?? 'Unknown';
      const model = deployment.properties?.model?.name;
      const result: DeploymentStatus = { provisioningState: state, ...(model ? { model } : {}) };
      if (state === 'Failed') result.error = (await operationError(input.pollerState)) ?? 'the deployment failed (provisioningState Failed)';
      return result;
    }),
});

/** The failed operation's message: resume the LRO poller from its state and poll once. */
async function operationError(pollerState: string | null): Promise<string | undefined> {
  if (!pollerState) return undefined;
  const { arm, config } = getServices();
  const poller = await arm.deployments.beginCreateOrUpdate(config.arm.resourceGroup, config.arm.account, '', {}, { resumeFrom: pollerState });
  try {
    await poller.poll();
  } catch (error) {
    return (error as Error).message;
  }
  return poller.getOperationState().error?.message;
}
