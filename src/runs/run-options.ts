/**
 * `<name>.json`, the dataset's run options: parsed strictly, because a typo such as `n_epoch` must
 * not silently train with defaults. Every problem names the key it is about, and is reported as a
 * finding in the validation report (the run is rejected), never as an exception.
 */
import type { AppConfig } from '../config.js';
import { DEPLOYMENT_SKUS, TRAINING_TYPES } from '../config.js';
import { findModel, MODEL_CATALOG } from '../validation/models.js';
import { METHOD_TYPES, type Hyperparameters, type MethodType, type RunMethod, type RunOptions } from './run-record.js';
import { defaultDeploymentName } from './run-id.js';
import { DEPLOYMENT_NAME_RULE, isValidDeploymentName } from '../azure/arm-names.js';

export interface OptionsProblem {
  /** The key the problem is about, as a path: `hyperparameters.n_epochs`. */
  field: string;
  message: string;
}

export type ParsedOptions = { ok: true; options: RunOptions } | { ok: false; problems: OptionsProblem[] };

const TOP_KEYS = ['baseModel', 'suffix', 'seed', 'method', 'hyperparameters', 'trainingType', 'deployment'] as const;
const METHOD_KEYS: Record<MethodType, readonly string[]> = {
  supervised: ['type', 'hyperparameters'],
  dpo: ['type', 'hyperparameters'],
  reinforcement: ['type', 'hyperparameters', 'grader'],
};

type Range = { integer: boolean; min: number; max: number; exclusiveMin?: boolean; auto?: boolean } | { values: readonly string[] };
const COMMON: Record<string, Range> = {
  n_epochs: { integer: true, min: 1, max: 50, auto: true },
  batch_size: { integer: true, min: 1, max: 256, auto: true },
  learning_rate_multiplier: { integer: false, min: 0, max: 10, exclusiveMin: true, auto: true },
};
/**
 * Each method's hyperparameters (Azure OpenAI authoring description 2025-04-01-preview:
 * FineTuningHyperParameters, DpoHyperparamsRequest; reinforcement per the Azure reinforcement
 * fine-tuning how-to). Ranges are OpenAI's documented ones.
 */
const HYPERPARAMETERS: Record<MethodType, Record<string, Range>> = {
  supervised: COMMON,
  dpo: { ...COMMON, beta: { integer: false, min: 0, max: 2, exclusiveMin: true, auto: true }, l2_multiplier: { integer: false, min: 0, max: 10 } },
  reinforcement: {
    ...COMMON,
    eval_interval: { integer: true, min: 1, max: 1000, auto: true },
    eval_samples: { integer: true, min: 1, max: 1000, auto: true },
    compute_multiplier: { integer: false, min: 0, max: 10, exclusiveMin: true, auto: true },
    reasoning_effort: { values: ['low', 'medium', 'high'] },
  },
};
/** The documented spellings, and the one this app used to send. */
const TRAINING_TYPE_SPELLINGS: Record<string, string> = { developer: 'developerTier' };
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
    const hint = typeof trainingType === 'string' && TRAINING_TYPE_SPELLINGS[trainingType.toLowerCase()] ? ` (Azure spells it '${TRAINING_TYPE_SPELLINGS[trainingType.toLowerCase()]}')` : '';
    problems.push({ field: 'trainingType', message: `must be one of ${TRAINING_TYPES.join(', ')}, got ${JSON.stringify(trainingType)}${hint}` });
  }
  const method = parseMethod(input['method'], input['hyperparameters'], problems);
  const deployment = parseDeployment(input['deployment'], dataset, defaults, problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    options: {
      baseModel: baseModel as string,
      ...(suffix !== undefined ? { suffix: suffix as string } : {}),
      ...(seed !== undefined ? { seed: seed as number } : {}),
      ...(method ? { method } : {}),
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

/**
 * `method: {type, hyperparameters, grader}`. The top-level `hyperparameters` of earlier versions
 * (which Azure deprecates in favour of `method.<type>.hyperparameters`) still works: it means the
 * supervised method with those hyperparameters.
 */
function parseMethod(value: unknown, legacy: unknown, problems: OptionsProblem[]): RunMethod | undefined {
  if (legacy !== undefined) {
    if (value !== undefined) {
      problems.push({ field: 'hyperparameters', message: "give hyperparameters inside 'method' (method.hyperparameters), not also at the top level" });
      return undefined;
    }
    const hyperparameters = parseHyperparameters('supervised', legacy, 'hyperparameters', problems);
    return { type: 'supervised', ...(hyperparameters ? { hyperparameters } : {}) };
  }
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push({ field: 'method', message: `must be an object with type (${METHOD_TYPES.join(', ')}) and hyperparameters` });
    return undefined;
  }
  const type = value['type'] ?? 'supervised';
  if (!METHOD_TYPES.includes(type as MethodType)) {
    problems.push({ field: 'method.type', message: `must be one of ${METHOD_TYPES.join(', ')}, got ${JSON.stringify(type)}` });
    return undefined;
  }
  const methodType = type as MethodType;
  unknownKeys(value, METHOD_KEYS[methodType], 'method.', problems);
  const hyperparameters = parseHyperparameters(methodType, value['hyperparameters'], 'method.hyperparameters', problems);
  const grader = value['grader'];
  if (methodType === 'reinforcement' && !isObject(grader)) {
    problems.push({ field: 'method.grader', message: 'reinforcement fine-tuning needs a grader object' });
  }
  return {
    type: methodType,
    ...(hyperparameters ? { hyperparameters } : {}),
    ...(methodType === 'reinforcement' && isObject(grader) ? { grader } : {}),
  };
}

function parseHyperparameters(method: MethodType, value: unknown, path: string, problems: OptionsProblem[]): Hyperparameters | undefined {
  if (value === undefined) return undefined;
  const ranges = HYPERPARAMETERS[method];
  if (!isObject(value)) {
    problems.push({ field: path, message: `must be an object with ${Object.keys(ranges).join(', ')}` });
    return undefined;
  }
  unknownKeys(value, Object.keys(ranges), `${path}.`, problems);
  const out: Hyperparameters = {};
  for (const [key, range] of Object.entries(ranges)) {
    const v = value[key];
    if (v === undefined) continue;
    if ('values' in range) {
      if (typeof v === 'string' && range.values.includes(v)) out[key] = v;
      else problems.push({ field: `${path}.${key}`, message: `must be one of ${range.values.join(', ')}, got ${JSON.stringify(v)}` });
      continue;
    }
    if (v === 'auto' && range.auto) continue; // "auto" = the service's choice: the key is not sent.
    const ok = typeof v === 'number' && Number.isFinite(v) && (!range.integer || Number.isInteger(v)) && (range.exclusiveMin ? v > range.min : v >= range.min) && v <= range.max;
    if (!ok) {
      const kind = range.integer ? 'a whole number' : 'a number';
      const bounds = range.exclusiveMin ? `greater than ${range.min} and at most ${range.max}` : `from ${range.min} to ${range.max}`;
      problems.push({ field: `${path}.${key}`, message: `must be ${range.auto ? '"auto" or ' : ''}${kind} ${bounds}, got ${JSON.stringify(v)}` });
      continue;
    }
    out[key] = v;
  }
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
