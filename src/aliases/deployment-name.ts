/**
 * The name of a run's own deployment: the alias, made ARM-safe, plus a short hash of the run id.
 *
 * ARM's rule for deployment names (specs: cognitiveservices.json 2025-06-01, `deploymentName`
 * pattern `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) and Azure OpenAI's documented 2-64 character length.
 * The hash comes from the run id as a whole, so the name does not depend on how run ids are
 * formatted, and two runs of one alias never share a deployment (Azure refuses a model change on
 * an existing deployment; every candidate gets a fresh one).
 */
import { createHash } from 'node:crypto';

export const DEPLOYMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$/;
const MAX_LENGTH = 64;
const HASH_LENGTH = 8;

export function candidateDeploymentName(alias: string, runId: string, prefix?: string): string {
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, HASH_LENGTH);
  const base =
    (prefix ?? alias)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, MAX_LENGTH - HASH_LENGTH - 1)
      .replace(/[-_.]+$/, '') || 'model';
  return `${base}-${hash}`;
}

export function isValidDeploymentName(name: string): boolean {
  return DEPLOYMENT_NAME_PATTERN.test(name);
}
