/**
 * `<name>.json`, the dataset's run options: parsed strictly, because a typo such as `n_epoch` must
 * not silently train with defaults. Every problem names the key it is about, and is reported as a
 * finding in the validation report (the run is rejected), never as an exception.
 */
import type { AppConfig } from '../config.js';
import { DEPLOYMENT_SKUS, TRAINING_TYPES } from '../config.js';
import { findModel, MODEL_CATALOG } from '../validation/models.js';
import type { Hyperparameters, RunOptions } from './run-record.js';
import { defaultDeploymentName } from './run-id.js';
import { DEPLOYMENT_NAME_RULE, isValidDeploymentName } from '../azure/arm-names.js';

export interface OptionsProblem {
  /** The key the problem is about, as a path: `hyperparameters.n_epochs`. */
  field: string;
  message: string;
}

export type ParsedOptions = { ok: true; options: RunOptions } | { ok: false; problems: OptionsProblem[] };

const TOP_KEYS = ['baseModel', 'suffix', 'seed', 'hyperparameters', 'trainingType', 'deployment'] as const;
const HYPERPARAMETER_KEYS = ['n_epochs', 'batch_size', 'learning_rate_multiplier'] as const;
const DEPLOYMENT_KEYS = ['name', 'sku', 'capacity'] as const;
const SUFFIX = /^[A-Za-z0-9_-]{1,40}$/;

type Defaults = Pick<AppConfig, 'fineTuning' | 'deployment'>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves the options file (absent: `undefined` text) over the app settings. */
export function parseRunOptions(text: string | undefined, dataset: string, defaults: Defaults): ParsedOptions {
  const problems: OptionsProblem[] = [];
  let input: Record<string, unknown> = {};
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      return { ok: false, problems: [{ field: '', message: `the options file is not valid JSON: ${(error as Error).message}` }] };
    }
    if (!isObject(parsed)) return { ok: false, problems: [{ field: '', message: 'the options file must hold a JSON object' }] };
    input = parsed;
  }
  unknownKeys(input, TOP_KEYS, '', problems);

  const baseModel = input['baseModel'] ?? defaults.fineTuning.baseModel;
  if (typeof baseModel !== 'string' || !findModel(baseModel)) {
    problems.push({ field: 'baseModel', message: `'${String(baseModel)}' is not a fine-tunable model; known: ${MODEL_CATALOG.map((m) => m.id).join(', ')}` });
  }
  const suffix = input['suffix'];
  if (suffix !== undefined && (typeof suffix !== 'string' || !SUFFIX.test(suffix))) {
    problems.push({ field: 'suffix', message: "must be 1-40 characters from a-z, A-Z, 0-9, '-' and '_'" });
  }
  const seed = input['seed'];
  if (seed !== undefined && !(Number.isInteger(seed) && (seed as number) >= 0 && (seed as number) <= 2 ** 31 - 1)) {
    problems.push({ field: 'seed', message: `must be a whole number from 0 to 2147483647, got ${JSON.stringify(seed)}` });
  }
  const trainingType = input['trainingType'] ?? defaults.fineTuning.trainingType;
  if (trainingType !== undefined && !TRAINING_TYPES.includes(trainingType as never)) {
    problems.push({ field: 'trainingType', message: `must be one of ${TRAINING_TYPES.join(', ')}, got ${JSON.stringify(trainingType)}` });
  }
  const hyperparameters = parseHyperparameters(input['hyperparameters'], problems);
  const deployment = parseDeployment(input['deployment'], dataset, defaults, problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    options: {
      baseModel: baseModel as string,
      ...(suffix !== undefined ? { suffix: suffix as string } : {}),
      ...(seed !== undefined ? { seed: seed as number } : {}),
      ...(hyperparameters ? { hyperparameters } : {}),
      ...(trainingType !== undefined ? { trainingType: trainingType as string } : {}),
      deployment,
    },
  };
}

function unknownKeys(object: Record<string, unknown>, known: readonly string[], prefix: string, problems: OptionsProblem[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) problems.push({ field: `${prefix}${key}`, message: `unknown key '${prefix}${key}'; allowed: ${known.join(', ')}` });
  }
}

function parseHyperparameters(value: unknown, problems: OptionsProblem[]): Hyperparameters | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push({ field: 'hyperparameters', message: 'must be an object with n_epochs, batch_size, learning_rate_multiplier' });
    return undefined;
  }
  unknownKeys(value, HYPERPARAMETER_KEYS, 'hyperparameters.', problems);
  const out: Hyperparameters = {};
  const check = (key: (typeof HYPERPARAMETER_KEYS)[number], integer: boolean, min: number, max: number): void => {
    const v = value[key];
    if (v === undefined) return;
    const ok = v === 'auto' || (typeof v === 'number' && (!integer || Number.isInteger(v)) && v >= min && v <= max);
    if (!ok) {
      problems.push({ field: `hyperparameters.${key}`, message: `must be "auto" or ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}` });
      return;
    }
    out[key] = v as number | 'auto';
  };
  check('n_epochs', true, 1, 50);
  check('batch_size', true, 1, 256);
  check('learning_rate_multiplier', false, 0.0001, 10);
  return out;
}

function parseDeployment(value: unknown, dataset: string, defaults: Defaults, problems: OptionsProblem[]): RunOptions['deployment'] {
  const resolved = { name: defaultDeploymentName(dataset), sku: defaults.deployment.sku as string, capacity: defaults.deployment.capacity };
  if (value === undefined) return resolved;
  if (!isObject(value)) {
    problems.push({ field: 'deployment', message: 'must be an object with name, sku, capacity' });
    return resolved;
  }
  unknownKeys(value, DEPLOYMENT_KEYS, 'deployment.', problems);
  const { name, sku, capacity } = value;
  if (name !== undefined) {
    if (typeof name !== 'string' || !isValidDeploymentName(name)) {
      problems.push({ field: 'deployment.name', message: `must be ${DEPLOYMENT_NAME_RULE} (Azure Resource Manager's rule)` });
    } else resolved.name = name;
  }
  if (sku !== undefined) {
    const match = DEPLOYMENT_SKUS.find((s) => typeof sku === 'string' && s.toLowerCase() === sku.toLowerCase());
    if (!match) problems.push({ field: 'deployment.sku', message: `must be one of ${DEPLOYMENT_SKUS.join(', ')}, got ${JSON.stringify(sku)}` });
    else resolved.sku = match;
  }
  if (capacity !== undefined) {
    if (!(Number.isInteger(capacity) && (capacity as number) >= 1 && (capacity as number) <= 10_000)) {
      problems.push({ field: 'deployment.capacity', message: `must be a whole number from 1 to 10000, got ${JSON.stringify(capacity)}` });
    } else resolved.capacity = capacity as number;
  }
  return resolved;
}
