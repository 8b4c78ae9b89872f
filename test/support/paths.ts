import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The lab's real datasets, shipped beside the repository in ../shared/datasets. */
export const DATASETS_DIR = path.resolve(REPO_ROOT, '../shared/datasets');
export const LAB_TRAINING = path.join(DATASETS_DIR, 'training_set.jsonl');
export const LAB_VALIDATION = path.join(DATASETS_DIR, 'validation_set.jsonl');
/** The Node 22 binary from the `node` devDependency (the machine's own may be older). */
export const NODE = process.execPath;
