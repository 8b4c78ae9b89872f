/**
 * Dataset names accepted through the upload API (`POST /api/datasets`): the `<name>` of
 * `<name>.jsonl`, possibly with `/` folders. Stricter than blob names on purpose: a name a browser,
 * a shell and a URL all keep as typed, that no companion-file suffix can be mistaken for. Pure.
 */
import { classifyDropName } from '../intake/drop-name.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_DATASET_NAME = 200;

/** Undefined when the name is fine, else why not. */
export function datasetNameProblem(name: string): string | undefined {
  if (name === '') return 'the dataset name is empty';
  if (name.length > MAX_DATASET_NAME) return `the dataset name is ${name.length} characters; at most ${MAX_DATASET_NAME} are allowed`;
  const bad = name.split('/').find((segment) => !SEGMENT.test(segment) || segment.includes('..'));
  if (bad !== undefined) return `'${name}' is not a dataset name: use letters, digits, '.', '_', '-' and '/' between folders`;
  const drop = classifyDropName(`${name}.jsonl`);
  if (drop.kind !== 'training' || drop.dataset !== name) return `'${name}' ends like a companion file; choose a name without that suffix`;
  if (/\.(validation|eval)$/i.test(name)) return `'${name}' ends like a companion file; choose a name without that suffix`;
  return undefined;
}
