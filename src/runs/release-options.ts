/**
 * The options of `<name>.json` that decide what happens after training: `promotion` (the
 * evaluation gate), `budget` (money) and `lifecycle` (the alias's idle policy). Parsed as
 * strictly as the rest of the options: every problem names its key.
 */
import { TEXT_GRADERS, type GraderSpec } from '../evaluation/graders.js';
import { MAX_CHECKPOINTS } from '../evaluation/checkpoints.js';
import { DEFAULT_PROMOTION, PROMOTION_MODES, type PromotionOptions } from '../evaluation/promotion.js';
import { isValidDeploymentName } from '../aliases/deployment-name.js';
import type { OptionsProblem } from './run-options.js';

export const IDLE_POLICIES = ['none', 'keep-warm', 'tear-down'] as const;
export type IdlePolicy = (typeof IDLE_POLICIES)[number];

export interface LifecycleOptions {
  idle: IdlePolicy;
  /** For `tear-down`: delete the deployment after this many idle days (it is re-created on the next chat request). */
  tearDownAfterDays?: number;
}
export interface BudgetOptions {
  /** Largest estimated training cost (in the price table's currency) a run may have. */
  maxTrainingCost?: number;
}

const PROMOTION_KEYS = ['mode', 'metric', 'minImprovement', 'graders', 'baseDeployment', 'keepRejected', 'maxExamples', 'checkpoints'] as const;
const BUDGET_KEYS = ['maxTrainingCost'] as const;
const LIFECYCLE_KEYS = ['idle', 'tearDownAfterDays'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(object: Record<string, unknown>, known: readonly string[], prefix: string, problems: OptionsProblem[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) problems.push({ field: `${prefix}${key}`, message: `unknown key '${prefix}${key}'; allowed: ${known.join(', ')}` });
  }
}

function parseGrader(value: unknown, field: string, problems: OptionsProblem[]): GraderSpec | undefined {
  if (typeof value === 'string' && (TEXT_GRADERS as readonly string[]).includes(value)) return { type: value as GraderSpec['type'] } as GraderSpec;
  if (isObject(value) && value['type'] === 'model') {
    unknownKeys(value, ['type', 'deployment'], `${field}.`, problems);
    const deployment = value['deployment'];
    if (typeof deployment === 'string' && isValidDeploymentName(deployment)) return { type: 'model', deployment };
    problems.push({ field: `${field}.deployment`, message: 'the model grader needs the name of a deployment to ask (2-64 letters, digits, _ - .)' });
    return undefined;
  }
  if (isObject(value) && typeof value['type'] === 'string' && (TEXT_GRADERS as readonly string[]).includes(value['type'])) {
    unknownKeys(value, ['type'], `${field}.`, problems);
    return { type: value['type'] as GraderSpec['type'] } as GraderSpec;
  }
  problems.push({ field, message: `must be one of ${TEXT_GRADERS.join(', ')} or {"type": "model", "deployment": "<name>"}, got ${JSON.stringify(value)}` });
  return undefined;
}

export function parsePromotion(value: unknown, problems: OptionsProblem[]): PromotionOptions {
  const out: PromotionOptions = structuredClone(DEFAULT_PROMOTION);
  if (value === undefined) return out;
  if (!isObject(value)) {
    problems.push({ field: 'promotion', message: `must be an object with ${PROMOTION_KEYS.join(', ')}` });
    return out;
  }
  unknownKeys(value, PROMOTION_KEYS, 'promotion.', problems);
  const { mode, metric, minImprovement, graders, baseDeployment, keepRejected, maxExamples, checkpoints } = value;
  if (mode !== undefined) {
    if (PROMOTION_MODES.includes(mode as never)) out.mode = mode as PromotionOptions['mode'];
    else problems.push({ field: 'promotion.mode', message: `must be one of ${PROMOTION_MODES.join(', ')}, got ${JSON.stringify(mode)}` });
  }
  if (graders !== undefined) {
    if (!Array.isArray(graders) || graders.length === 0) problems.push({ field: 'promotion.graders', message: 'must be a non-empty list of graders' });
    else out.graders = graders.map((g, i) => parseGrader(g, `promotion.graders[${i}]`, problems)).filter((g): g is GraderSpec => g !== undefined);
  }
  if (metric !== undefined) {
    if (typeof metric !== 'string') problems.push({ field: 'promotion.metric', message: 'must be the name of one of the graders' });
    else {
      out.metric = metric;
      // A metric that is not graded yet is added (a model metric needs its deployment in `graders`).
      if (!out.graders.some((g) => g.type === metric)) {
        if ((TEXT_GRADERS as readonly string[]).includes(metric)) out.graders.push({ type: metric } as GraderSpec);
        else problems.push({ field: 'promotion.metric', message: `'${metric}' is not among the graders (${out.graders.map((g) => g.type).join(', ')})` });
      }
    }
  } else if (!out.graders.some((g) => g.type === out.metric)) {
    out.metric = out.graders[0]?.type ?? out.metric;
  }
  if (minImprovement !== undefined) {
    if (typeof minImprovement === 'number' && minImprovement >= 0 && minImprovement <= 1) out.minImprovement = minImprovement;
    else problems.push({ field: 'promotion.minImprovement', message: `must be a number from 0 to 1 (scores are 0-1), got ${JSON.stringify(minImprovement)}` });
  }
  if (baseDeployment !== undefined) {
    if (typeof baseDeployment === 'string' && isValidDeploymentName(baseDeployment)) out.baseDeployment = baseDeployment;
    else problems.push({ field: 'promotion.baseDeployment', message: 'must be the name of a deployment of the base model (2-64 letters, digits, _ - .)' });
  }
  if (keepRejected !== undefined) {
    if (typeof keepRejected === 'boolean') out.keepRejected = keepRejected;
    else problems.push({ field: 'promotion.keepRejected', message: `must be true or false, got ${JSON.stringify(keepRejected)}` });
  }
  if (maxExamples !== undefined) {
    if (Number.isInteger(maxExamples) && (maxExamples as number) >= 1 && (maxExamples as number) <= 1000) out.maxExamples = maxExamples as number;
    else problems.push({ field: 'promotion.maxExamples', message: `must be a whole number from 1 to 1000, got ${JSON.stringify(maxExamples)}` });
  }
  if (checkpoints !== undefined) {
    if (Number.isInteger(checkpoints) && (checkpoints as number) >= 0 && (checkpoints as number) <= MAX_CHECKPOINTS) out.checkpoints = checkpoints as number;
    else problems.push({ field: 'promotion.checkpoints', message: `must be a whole number from 0 to ${MAX_CHECKPOINTS} (the job's last checkpoints to evaluate besides the final model), got ${JSON.stringify(checkpoints)}` });
  }
  return out;
}

export function parseBudget(value: unknown, problems: OptionsProblem[]): BudgetOptions | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push({ field: 'budget', message: 'must be an object with maxTrainingCost' });
    return undefined;
  }
  unknownKeys(value, BUDGET_KEYS, 'budget.', problems);
  const max = value['maxTrainingCost'];
  if (max === undefined) return {};
  if (typeof max !== 'number' || !(max >= 0)) {
    problems.push({ field: 'budget.maxTrainingCost', message: `must be a number of at least 0 (in the price table's currency), got ${JSON.stringify(max)}` });
    return {};
  }
  return { maxTrainingCost: max };
}

export function parseLifecycle(value: unknown, problems: OptionsProblem[]): LifecycleOptions | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push({ field: 'lifecycle', message: 'must be an object with idle, tearDownAfterDays' });
    return undefined;
  }
  unknownKeys(value, LIFECYCLE_KEYS, 'lifecycle.', problems);
  const idle = value['idle'] ?? 'none';
  if (!IDLE_POLICIES.includes(idle as never)) {
    problems.push({ field: 'lifecycle.idle', message: `must be one of ${IDLE_POLICIES.join(', ')}, got ${JSON.stringify(idle)}` });
    return undefined;
  }
  const days = value['tearDownAfterDays'];
  if (days !== undefined && !(typeof days === 'number' && days > 0 && days <= 365)) {
    problems.push({ field: 'lifecycle.tearDownAfterDays', message: `must be a number of days from above 0 to 365, got ${JSON.stringify(days)}` });
    return undefined;
  }
  if (idle === 'tear-down' && days === undefined) {
    problems.push({ field: 'lifecycle.tearDownAfterDays', message: "is required with idle 'tear-down'" });
    return undefined;
  }
  return { idle: idle as IdlePolicy, ...(days !== undefined ? { tearDownAfterDays: days as number } : {}) };
}
