import * as df from 'durable-functions';
import { ARM_SCOPE } from '../../azure/arm-client.js';
import { credentialFor, isLoopbackHttp } from '../../azure/credentials.js';
import { runActivity } from '../activity-result.js';
import { getServices, STATUS_READ_TIMEOUT_MS } from '../../services.js';

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

/** The provisioning state and model of an ARM deployment resource. Pure. */
export function deploymentView(deployment: { properties?: { provisioningState?: string; model?: { name?: string } } }): DeploymentStatus {
  const model = deployment.properties?.model?.name;
  return { provisioningState: deployment.properties?.provisioningState ?? 'Unknown', ...(model ? { model } : {}) };
}

/** One look at the deployment's provisioning state; for `Failed`, ARM's error message from the operation. */
df.app.activity(DEPLOYMENT_STATUS, {
  handler: (input: DeploymentStatusInput) =>
    runActivity(async (): Promise<DeploymentStatus> => {
      const { arm, config } = getServices();
      const result = deploymentView(await arm.deployments.get(config.arm.resourceGroup, config.arm.account, input.name, { requestOptions: { timeout: STATUS_READ_TIMEOUT_MS } }));
      if (['Failed', 'Canceled', 'Disabled'].includes(result.provisioningState)) result.error = (await operationError(input.pollerState)) ?? 'the deployment failed (provisioningState Failed)';
      return result;
    }),
});

/**
 * The failed operation's message, from ARM's operation status (`Azure-AsyncOperation`) URL recorded
 * in the poller state deployModel returned. Resuming the SDK poller instead would also report it,
 * but leaves a rejected promise behind; one plain GET is enough.
 */
async function operationError(pollerState: string | null): Promise<string | undefined> {
  const location = operationLocation(pollerState);
  if (!location) return undefined;
  const { config } = getServices();
  const url = new URL(location);
  const endpoint = new URL(config.arm.endpoint);
  // The token is only ever sent to the configured ARM host (https, or loopback http locally).
  if (url.host !== endpoint.host || (url.protocol !== 'https:' && !isLoopbackHttp(url.origin))) return undefined;
  const token = await credentialFor(config).getToken(ARM_SCOPE);
  const response = await fetch(url, { headers: { authorization: `Bearer ${token?.token ?? ''}` }, signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw Object.assign(new Error(`operation status: HTTP ${response.status}`), { status: response.status });
  const body = (await response.json()) as { status?: string; error?: { code?: string; message?: string } };
  return body.error?.message ? `${body.error.code ? `${body.error.code}: ` : ''}${body.error.message}` : undefined;
}

export function operationLocation(pollerState: string | null): string | undefined {
  if (!pollerState) return undefined;
  try {
    const parsed = JSON.parse(pollerState) as { state?: { config?: { operationLocation?: string } } };
    return parsed.state?.config?.operationLocation;
  } catch {
    return undefined;
  }
}
