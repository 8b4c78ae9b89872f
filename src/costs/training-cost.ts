/**
 * Money, estimated: the training cost of a run (validation report, run record, budget check) and
 * the hosting cost of a deployment (alias API). Pure; prices come from the settings' table.
 */
import type { TrainingType } from '../config.js';
import { findModel } from '../validation/models.js';
import { priceOf, type PriceTable } from './prices.js';

/**
 * The discount factor for each `trainingType` the product sends (config.ts TRAINING_TYPES, the
 * spellings of Azure's REST examples: `Standard`, `GlobalStandard`, `developerTier`). A Record over
 * the type, so a renamed or added training type fails to compile here instead of silently being
 * priced at the regional Standard rate (an earlier version compared against 'Developer', which the
 * product never sends, and the Developer discount never applied).
 */
const TRAINING_FACTOR: Record<TrainingType, (table: PriceTable) => number> = {
  Standard: () => 1,
  GlobalStandard: (table) => table.globalTrainingFactor,
  developerTier: (table) => table.developerTrainingFactor,
};

export function trainingFactor(table: PriceTable, trainingType: string): number {
  return Object.hasOwn(TRAINING_FACTOR, trainingType) ? TRAINING_FACTOR[trainingType as TrainingType](table) : 1;
}

export interface TrainingCostEstimate {
  /** null when the model is not billed per token (reinforcement fine-tuning) or not in the table. */
  amount: number | null;
  currency: string;
  billedTokens: number;
  /** Price per 1M tokens after the training-type discount. */
  pricePerMillionTokens: number | null;
  trainingType: string;
  basis: string;
}

const round = (n: number): number => Math.round(n * 100) / 100;

export function estimateTrainingCost(table: PriceTable, baseModel: string, trainingType: string | undefined, billedTokens: number): TrainingCostEstimate {
  const id = findModel(baseModel)?.id ?? baseModel;
  const price = priceOf(table, id);
  const type = trainingType ?? 'Standard';
  const factor = trainingFactor(table, type);
  if (!price || price.trainingPerMillionTokens === null) {
    return {
      amount: null,
      currency: table.currency,
      billedTokens,
      pricePerMillionTokens: null,
      trainingType: type,
      basis: price ? `${id} is not billed per training token (see the pricing page)` : `no price for ${id} in the price table (FT_PRICES)`,
    };
  }
  const perMillion = price.trainingPerMillionTokens * factor;
  return {
    amount: round((billedTokens / 1_000_000) * perMillion),
    currency: table.currency,
    billedTokens,
    pricePerMillionTokens: Math.round(perMillion * 10_000) / 10_000,
    trainingType: type,
    basis: `${billedTokens} billed tokens (tokens × epochs) × ${price.trainingPerMillionTokens} ${table.currency}/1M for ${id}${factor !== 1 ? ` × ${factor} (${type})` : ''}`,
  };
}

/** Hosting per hour of one deployment of a model of `baseModel` on `sku`. */
export function hostingPerHour(table: PriceTable, baseModel: string, sku: string): number | null {
  if (sku === 'DeveloperTier') return table.developerHostingPerHour;
  const price = priceOf(table, findModel(baseModel)?.id ?? baseModel);
  return price ? price.hostingPerHour : null;
}

export function hostingCost(table: PriceTable, baseModel: string, sku: string, hours: number): { amount: number | null; currency: string; hours: number } {
  const perHour = hostingPerHour(table, baseModel, sku);
  return { amount: perHour === null ? null : round(perHour * hours), currency: table.currency, hours: Math.round(hours * 100) / 100 };
}

/** The budget rule: a message when the estimate is above the limit, else undefined. */
export function overBudget(estimate: TrainingCostEstimate, maxTrainingCost: number | undefined): string | undefined {
  if (maxTrainingCost === undefined) return undefined;
  if (estimate.amount === null) return `the training cost cannot be estimated (${estimate.basis}), so budget.maxTrainingCost ${maxTrainingCost} cannot be checked`;
  if (estimate.amount > maxTrainingCost) {
    return `the estimated training cost ${estimate.amount} ${estimate.currency} is above budget.maxTrainingCost ${maxTrainingCost} (${estimate.basis})`;
  }
  return undefined;
}
