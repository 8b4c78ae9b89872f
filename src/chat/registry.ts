import { RestError, type ContainerClient } from '@azure/storage-blob';
import { listDeployments, type DeploymentRecord } from '../runs/deployment-registry.js';

/**
 * The recorded deployments; none when the runs container does not exist yet (no run has finished).
 * Unreadable records are skipped with a warning rather than failing every chat request.
 */
export async function listDeploymentsOrNone(runs: ContainerClient): Promise<DeploymentRecord[]> {
  try {
    return await listDeployments(runs, (blob, problem) => console.warn(`ignoring deployment record ${blob}: ${problem}`));
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return [];
    throw error;
  }
}
