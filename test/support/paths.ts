import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The lab's real datasets (copies of ../shared/datasets, byte for byte). */
export const DATASETS_DIR = path.join(REPO_ROOT, 'test/fixtures/lab');
export const LAB_TRAINING = path.join(DATASETS_DIR, 'training_set.jsonl');
export const LAB_VALIDATION = path.join(DATASETS_DIR, 'validation_set.jsonl');
/** The Node 22 binary from the `node` devDependency (the machine's own may be older). */
export const NODE = process.execPath;
/** Minimal valid datasets of the preference (DPO) and reinforcement (RFT) methods, with the RFT grader. */
export const METHODS_DIR = path.join(REPO_ROOT, 'test/fixtures/methods');
