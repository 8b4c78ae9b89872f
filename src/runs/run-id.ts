import { createHash } from 'node:crypto';

/**
 * Run ids are deterministic: a readable slug of the dataset name plus a short hash of the contents
 * of the training, validation and options files. Dropping the same bytes twice gives the same id
 * (and so never starts a second job); changing any of the three gives a new one.
 */
export const TRAINING_SUFFIX = '.jsonl';
export const VALIDATION_SUFFIX = '.validation.jsonl';
export const OPTIONS_SUFFIX = '.json';
/** The grader of a reinforcement fine-tuning run. */
export const GRADER_SUFFIX = '.grader.json';

export type DropKind = 'training' | 'validation' | 'options' | 'grader' | 'other';

/** What a blob in the drop zone is, and the dataset name it belongs to. */
export function classifyDrop(blobName: string): { kind: DropKind; dataset: string } {
  if (blobName.endsWith(VALIDATION_SUFFIX)) return { kind: 'validation', dataset: blobName.slice(0, -VALIDATION_SUFFIX.length) };
  if (blobName.endsWith(TRAINING_SUFFIX)) return { kind: 'training', dataset: blobName.slice(0, -TRAINING_SUFFIX.length) };
  if (blobName.endsWith(GRADER_SUFFIX)) return { kind: 'grader', dataset: blobName.slice(0, -GRADER_SUFFIX.length) };
  if (blobName.endsWith(OPTIONS_SUFFIX)) return { kind: 'options', dataset: blobName.slice(0, -OPTIONS_SUFFIX.length) };
  return { kind: 'other', dataset: blobName };
}

/** Lower-case letters, digits and single hyphens; at most `max` characters; never empty. */
export function slugify(name: string, max = 40): string {
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

export function computeRunId(dataset: string, contents: { training: string; validation?: string; options?: string; grader?: string }): string {
  // The grader joins the hash only when there is one, so runs without a grader keep their ids.
  const digest = createHash('sha256')
    .update(`training:${contents.training}\nvalidation:${contents.validation ?? ''}\noptions:${contents.options ?? ''}${contents.grader ? `\ngrader:${contents.grader}` : ''}`)
    .digest('hex');
  return `${slugify(dataset)}-${digest.slice(0, 10)}`;
}

/** The stable deployment alias of a dataset when its options name none. */
export function defaultDeploymentName(dataset: string): string {
  return slugify(dataset, 64);
}
