import { createHash } from 'node:crypto';
import { isValidDeploymentName } from '../azure/arm-names.js';

/**
 * Run and deployment identity. A dataset is known by its exact name (`Sales` and `sales`,
 * `team/sarcasm` and `team-sarcasm` are different datasets); ids must be URL- and ARM-safe, so they
 * are a readable slug of the name plus a short hash of the EXACT name — the slug alone collides on
 * case, separators and every non-Latin name, and ARM compares names case-insensitively anyway.
 *
 *   dataset key   <slug>-<8 hex of sha256(name)>            e.g. `sales-3f9a01c2`
 *   run id        <dataset key>-<10 hex of the contents>     one run per (dataset, content)
 *   deployment    <dataset key>                             unless the options name one
 *
 * Dropping the same bytes twice under the same name gives the same run id (never a second job);
 * the same bytes under another name get their own run.
 */

const NAME_HASH_HEX = 8;
const CONTENT_HASH_HEX = 10;
/** Slug length in run ids and deployment names: key = 40 + 1 + 8 = 49 <= 64 (ARM) and ids stay short. */
const SLUG_MAX = 40;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Lower-case letters, digits and single hyphens; at most `max` characters; never empty. */
export function slugify(name: string, max = SLUG_MAX): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return slug || 'dataset';
}

/** The dataset's stable, collision-free, ARM-safe key: readable slug + hash of the exact name. */
export function datasetKey(dataset: string): string {
  return `${slugify(dataset)}-${sha256Hex(dataset).slice(0, NAME_HASH_HEX)}`;
}

export interface RunContents {
  training: string;
  validation?: string;
  options?: string;
}

function contentHash(contents: RunContents): string {
  return sha256Hex(`training:${contents.training}\nvalidation:${contents.validation ?? ''}\noptions:${contents.options ?? ''}`).slice(0, CONTENT_HASH_HEX);
}

export function computeRunId(dataset: string, contents: RunContents): string {
  return `${datasetKey(dataset)}-${contentHash(contents)}`;
}

/**
 * The id the same drop had before dataset keys carried a name hash (`<slug>-<10 hex>`). Intake
 * looks it up so that data trained before the upgrade is not trained (and paid for) again when
 * its blob event is delivered again.
 */
export function legacyRunId(dataset: string, contents: RunContents): string {
  return `${slugify(dataset)}-${contentHash(contents)}`;
}

/** The dataset's own deployment when its options name none: always satisfies ARM's name rule. */
export function defaultDeploymentName(dataset: string): string {
  const name = datasetKey(dataset);
  // By construction (slug >= 1 char + '-' + 8 hex, at most 49 chars); checked so a change here cannot slip.
  if (!isValidDeploymentName(name)) throw new Error(`internal: deployment name '${name}' breaks ARM's name rule`);
  return name;
}
