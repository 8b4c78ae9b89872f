/**
 * The price table: what training and hosting cost, per base model. Prices are settings, never
 * fetched at run time (a run must not depend on a pricing API, and an estimate must be
 * reproducible). Prices change and differ by region: set `FT_PRICES` to yours (see the README);
 * it overrides any default below, key by key.
 *
 * Sources, per default (what could and could not be confirmed):
 *  [cost-mgmt] learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-cost-management
 *              ("Cost management for fine-tuning"): price = training tokens × epochs × price per
 *              token for SFT and DPO; "global standard (10-30% discount from regional standard
 *              training) or developer (50% discount from global)"; RFT is billed per hour of
 *              training, not per token. Confirmed.
 *  [ft-test]   learn.microsoft.com/azure/ai-services/openai/how-to/fine-tune-test: a Developer Tier
 *              deployment has no hourly hosting fee ("The only charges incurred are per-token").
 *              Confirmed.
 *  [pricing]   azure.microsoft.com/pricing/details/cognitive-services/openai-service (the page
 *              [cost-mgmt] sends readers to for the numbers). NOT CONFIRMED: the per-model
 *              training and hosting numbers below are the 2025 regional Standard list prices in
 *              USD as this project first recorded them; the pricing page itself is not in the
 *              team's search corpus, so they could not be re-checked. Treat them as placeholders
 *              and set FT_PRICES from the page for your region.
 */
export interface ModelPrice {
  /** Regional Standard training price per 1,000,000 billed tokens; null: not billed per token. */
  trainingPerMillionTokens: number | null;
  /** Hosting price per hour of a deployed fine-tuned model (Standard / GlobalStandard). */
  hostingPerHour: number;
}

export interface PriceTable {
  currency: string;
  models: Record<string, ModelPrice>;
  /** Global training price as a fraction of regional Standard. */
  globalTrainingFactor: number;
  /** Developer training price as a fraction of regional Standard (50% off Global). */
  developerTrainingFactor: number;
  /** Hosting per hour of a Developer-tier deployment (no hosting fee: it is billed per token and lives 24 h). */
  developerHostingPerHour: number;
}

export const DEFAULT_PRICES: PriceTable = {
  currency: 'USD',
  // Every model row: [pricing], not confirmed (see above); FT_PRICES overrides.
  models: {
    'gpt-35-turbo-0613': { trainingPerMillionTokens: 8, hostingPerHour: 1.7 },
    'gpt-35-turbo-1106': { trainingPerMillionTokens: 8, hostingPerHour: 1.7 },
    'gpt-35-turbo-0125': { trainingPerMillionTokens: 8, hostingPerHour: 1.7 },
    'gpt-4o-mini-2024-07-18': { trainingPerMillionTokens: 3.3, hostingPerHour: 1.7 },
    'gpt-4o-2024-08-06': { trainingPerMillionTokens: 27.5, hostingPerHour: 1.7 },
    'gpt-4.1-2025-04-14': { trainingPerMillionTokens: 27.5, hostingPerHour: 1.7 },
    'gpt-4.1-mini-2025-04-14': { trainingPerMillionTokens: 5.5, hostingPerHour: 1.7 },
    'gpt-4.1-nano-2025-04-14': { trainingPerMillionTokens: 1.65, hostingPerHour: 1.7 },
    // Not billed per token: RFT is billed per training hour [cost-mgmt]; hosting [pricing], not confirmed.
    'o4-mini-2025-04-16': { trainingPerMillionTokens: null, hostingPerHour: 1.7 },
  },
  // [cost-mgmt]: Global is 10-30% off regional Standard; 0.9 takes the smallest discount, so an estimate errs high.
  globalTrainingFactor: 0.9,
  // [cost-mgmt]: Developer is 50% off Global (0.9 × 0.5).
  developerTrainingFactor: 0.45,
  // [ft-test]: a Developer Tier deployment has no hourly hosting fee.
  developerHostingPerHour: 0,
};

/**
 * `FT_PRICES` over the defaults: any subset, e.g. `{"models": {"gpt-4o-mini-2024-07-18":
 * {"trainingPerMillionTokens": 3, "hostingPerHour": 1.5}}, "globalTrainingFactor": 0.8}`.
 * Returns the table, or the problems with the setting (each naming the key).
 */
export function parsePriceTable(text: string | undefined): { table: PriceTable; problems: string[] } {
  const table: PriceTable = structuredClone(DEFAULT_PRICES);
  const problems: string[] = [];
  if (!text) return { table, problems };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { table, problems: [`FT_PRICES is not valid JSON: ${(error as Error).message}`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { table, problems: ['FT_PRICES must be a JSON object'] };
  const input = value as Record<string, unknown>;
  const amount = (key: string, v: unknown, nullable = false): number | null | undefined => {
    if (v === undefined) return undefined;
    if (nullable && v === null) return null;
    if (typeof v === 'number' && v >= 0 && Number.isFinite(v)) return v;
    problems.push(`FT_PRICES.${key} must be a number of at least 0${nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
    return undefined;
  };
  for (const key of Object.keys(input)) {
    if (!['currency', 'models', 'globalTrainingFactor', 'developerTrainingFactor', 'developerHostingPerHour'].includes(key)) problems.push(`FT_PRICES.${key} is not a known key`);
  }
  if (input['currency'] !== undefined) {
    if (typeof input['currency'] === 'string' && /^[A-Z]{3}$/.test(input['currency'])) table.currency = input['currency'];
    else problems.push(`FT_PRICES.currency must be a three-letter currency code, got ${JSON.stringify(input['currency'])}`);
  }
  for (const key of ['globalTrainingFactor', 'developerTrainingFactor', 'developerHostingPerHour'] as const) {
    const v = amount(key, input[key]);
    if (typeof v === 'number') table[key] = v;
  }
  const models = input['models'];
  if (models !== undefined) {
    if (typeof models !== 'object' || models === null || Array.isArray(models)) problems.push('FT_PRICES.models must be an object keyed by base model');
    else {
      for (const [model, price] of Object.entries(models as Record<string, unknown>)) {
        if (typeof price !== 'object' || price === null) {
          problems.push(`FT_PRICES.models.${model} must be an object with trainingPerMillionTokens and hostingPerHour`);
          continue;
        }
        const p = price as Record<string, unknown>;
        const current = table.models[model] ?? { trainingPerMillionTokens: null, hostingPerHour: 0 };
        const training = amount(`models.${model}.trainingPerMillionTokens`, p['trainingPerMillionTokens'], true);
        const hosting = amount(`models.${model}.hostingPerHour`, p['hostingPerHour']);
        table.models[model] = {
          trainingPerMillionTokens: training === undefined ? current.trainingPerMillionTokens : training,
          hostingPerHour: typeof hosting === 'number' ? hosting : current.hostingPerHour,
        };
      }
    }
  }
  return { table, problems };
}

/** The price of a base model: by id, else by a catalog alias resolved by the caller. */
export function priceOf(table: PriceTable, baseModel: string): ModelPrice | undefined {
  return table.models[baseModel];
}
