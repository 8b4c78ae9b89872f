/**
 * The name of a run's own deployment: the alias, made ARM-safe, plus a short hash of the run id.
 *
 * ARM's rule for deployment names: see azure/arm-names.ts. The prefix is the options'
 * `deployment.name`, else the dataset's key (slug + name hash, so datasets never share one).
 * The hash comes from the run id as a whole, so the name does not depend on how run ids are
 * formatted, and two runs of one alias never share a deployment (Azure refuses a model change on
 * an existing deployment; every candidate gets a fresh one). A retried attempt's names end in
 * `-a<attempt>`: the failed attempt's deployment may still be being deleted (a PUT onto a
 * deployment in `Deleting` is refused), and it may have held a different checkpoint.
 */
import { createHash } from 'node:crypto';
import { isValidDeploymentName } from '../azure/arm-names.js';

export { isValidDeploymentName };
const MAX_LENGTH = 64;
const HASH_LENGTH = 8;

export function candidateDeploymentName(alias: string, runId: string, prefix?: string, attempt?: number): string {
  return deploymentName(alias, runId, prefix, attemptSuffix(attempt));
}

const attemptSuffix = (attempt: number | undefined): string => (attempt !== undefined && attempt > 1 ? `-a${attempt}` : '');

/**
 * The deployment of one of the run's checkpoints (option `promotion.checkpoints`): the candidate's
 * name with `-s<step>`, the base shortened so the whole stays within ARM's 64 characters. Its own
 * name, never the candidate's: a deployment's model is never changed.
 */
export function checkpointDeploymentName(alias: string, runId: string, step: number, prefix?: string, attempt?: number): string {
  return deploymentName(alias, runId, prefix, `${attemptSuffix(attempt)}-s${step}`);
}

function deploymentName(alias: string, runId: string, prefix: string | undefined, suffix: string): string {
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, HASH_LENGTH);
  const base =
    (prefix ?? alias)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, MAX_LENGTH - HASH_LENGTH - 1 - suffix.length)
      .replace(/[-_.]+$/, '') || 'model';
  return `${base}-${hash}${suffix}`;
}
