/**
 * Fine-tunable base models as data: tokenizer, per-example token limit, the fine-tuning methods
 * and training types Azure offers for each, input modality and, where documented, retirement.
 *
 * Sources (every fact below names one of these in a comment):
 * - [MODELS] Azure OpenAI fine-tuning models table — learn.microsoft.com/azure/ai-foundry/openai/concepts/models#fine-tuning-models
 *   (include `articles/ai-foundry/openai/includes/fine-tune-models.md` in MicrosoftDocs/azure-ai-docs,
 *   commit 1e62f386): standard training regions, global training ✅/-, "training example context
 *   length", modality ("Text to text" / "Text and vision to text").
 * - [MODELS-2025-02] the same include at commit 6d3cef99 (articles/ai-services/...): the last version
 *   that lists gpt-35-turbo 1106/0125 (16,385 tokens); they are gone from the current table.
 * - [DPO] learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning-direct-preference-optimization
 *   ("gpt-4o-2024-08-06, gpt-4.1-2025-04-14, gpt-4.1-mini-2025-04-14 support DPO").
 * - [RFT] learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning
 *   ("o4-mini version 2025-04-16"; gpt-5 2025-08-07 private preview / by invitation).
 * - [VISION] learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-vision
 *   (vision fine-tuning: gpt-4o 2024-08-06 and gpt-4.1 2025-04-14 only).
 * - [FT-TABLE] learn.microsoft.com/azure/foundry/foundry-models/concepts/models-sold-directly-by-azure?pivots=azure-openai#fine-tuning-models
 *   (ms.date 2026-08-19; read through a public quote of the table, not the page itself): methods
 *   per model (gpt-4.1-nano: SFT, DPO), base-model and fine-tuned-deployment retirement dates,
 *   Developer deployment ✅/❌.
 * - [LEGACY] learn.microsoft.com/azure/ai-foundry/openai/concepts/legacy-models
 *   (gpt-35-turbo 0613 retired February 13, 2025).
 */
export type EncodingName = 'cl100k_base' | 'o200k_base';

export const FINE_TUNING_METHODS = ['supervised', 'dpo', 'reinforcement'] as const;
export type FineTuningMethod = (typeof FINE_TUNING_METHODS)[number];

/**
 * Training types as the fine-tuning how-to's REST examples spell them
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning: Standard | GlobalStandard | developerTier).
 */
export type CatalogTrainingType = 'Standard' | 'GlobalStandard' | 'developerTier';

export interface ModelInfo {
  /** Canonical model id as Azure names the fine-tunable version. */
  readonly id: string;
  readonly encoding: EncodingName;
  /** Maximum tokens in one training example (context length for fine-tuning). */
  readonly maxExampleTokens: number;
  /** Shorter names users type that mean this version. */
  readonly aliases?: readonly string[];
}

export interface CatalogEntry extends ModelInfo {
  /** Fine-tuning methods Azure offers for this base model. */
  readonly methods: readonly FineTuningMethod[];
  /**
   * Training types: true documented as offered, false documented as not offered; a type not
   * listed is undocumented for this model and never refused here (Azure decides).
   */
  readonly trainingTypes: Readonly<Partial<Record<CatalogTrainingType, boolean>>>;
  /** Whether a fine-tuned model of this base can be deployed with the DeveloperTier SKU, where documented. */
  readonly developerDeployment?: boolean;
  readonly modality: 'text' | 'text+vision';
  /** Fine-tuning of this base model is no longer offered. */
  readonly retired?: { readonly date?: string; readonly note: string };
  /** Documented retirement dates ("not before"), ISO dates. */
  readonly retirement?: { readonly baseModel?: string; readonly fineTunedDeployments?: string };
}

const STANDARD_AND_GLOBAL = { Standard: true, GlobalStandard: true } as const;

export const MODEL_CATALOG: readonly CatalogEntry[] = [
  {
    id: 'gpt-35-turbo-0613',
    encoding: 'cl100k_base',
    maxExampleTokens: 4_096,
    methods: ['supervised'],
    trainingTypes: { Standard: true },
    modality: 'text',
    retired: { date: '2025-02-13', note: 'gpt-35-turbo 0613 was retired on 2025-02-13 [LEGACY]' },
  },
  {
    id: 'gpt-35-turbo-1106',
    encoding: 'cl100k_base',
    maxExampleTokens: 16_385, // [MODELS-2025-02]
    methods: ['supervised'],
    trainingTypes: { Standard: true },
    modality: 'text',
    retired: { note: 'gpt-35-turbo 1106 is no longer among the fine-tunable models [MODELS]' },
  },
  {
    id: 'gpt-35-turbo-0125',
    encoding: 'cl100k_base',
    maxExampleTokens: 16_385, // [MODELS-2025-02]
    aliases: ['gpt-35-turbo'],
    methods: ['supervised'],
    trainingTypes: { Standard: true },
    modality: 'text',
    retired: { note: 'gpt-35-turbo 0125 is no longer among the fine-tunable models [MODELS]' },
  },
  {
    id: 'gpt-4o-mini-2024-07-18',
    encoding: 'o200k_base',
    maxExampleTokens: 65_536, // [MODELS]
    aliases: ['gpt-4o-mini'],
    methods: ['supervised'], // [FT-TABLE]: SFT only
    trainingTypes: STANDARD_AND_GLOBAL, // [MODELS]: North Central US, Sweden Central; global ✅
    developerDeployment: true, // [FT-TABLE]
    modality: 'text', // [MODELS]: text to text
    retirement: { baseModel: '2027-04-14', fineTunedDeployments: '2027-10-01' }, // [FT-TABLE]
  },
  {
    id: 'gpt-4o-2024-08-06',
    encoding: 'o200k_base',
    maxExampleTokens: 65_536, // [MODELS]
    aliases: ['gpt-4o'],
    methods: ['supervised', 'dpo'], // [DPO], [FT-TABLE]
    trainingTypes: STANDARD_AND_GLOBAL, // [MODELS]
    developerDeployment: true, // [FT-TABLE]
    modality: 'text+vision', // [MODELS], [VISION]
    retirement: { baseModel: '2027-04-14', fineTunedDeployments: '2027-10-01' }, // [FT-TABLE]
  },
  {
    id: 'gpt-4.1-2025-04-14',
    encoding: 'o200k_base',
    maxExampleTokens: 65_536, // [MODELS]
    aliases: ['gpt-4.1'],
    methods: ['supervised', 'dpo'], // [DPO], [FT-TABLE]
    trainingTypes: STANDARD_AND_GLOBAL, // [MODELS]
    developerDeployment: true, // [FT-TABLE]
    modality: 'text+vision', // [MODELS], [VISION]
    retirement: { baseModel: '2027-04-14', fineTunedDeployments: '2027-10-14' }, // [FT-TABLE]
  },
  {
    id: 'gpt-4.1-mini-2025-04-14',
    encoding: 'o200k_base',
    maxExampleTokens: 65_536, // [MODELS]
    aliases: ['gpt-4.1-mini'],
    methods: ['supervised', 'dpo'], // [DPO], [FT-TABLE]
    trainingTypes: STANDARD_AND_GLOBAL, // [MODELS]
    developerDeployment: true, // [FT-TABLE]
    modality: 'text', // [MODELS]
    retirement: { baseModel: '2027-04-14', fineTunedDeployments: '2027-10-14' }, // [FT-TABLE]
  },
  {
    id: 'gpt-4.1-nano-2025-04-14',
    encoding: 'o200k_base',
    maxExampleTokens: 32_768, // [MODELS]
    aliases: ['gpt-4.1-nano'],
    // [FT-TABLE] lists SFT and DPO; the DPO how-to [DPO] predates it and names three models only.
    methods: ['supervised', 'dpo'],
    trainingTypes: STANDARD_AND_GLOBAL, // [MODELS]
    developerDeployment: true, // [FT-TABLE]
    modality: 'text', // [MODELS]
    retirement: { baseModel: '2027-04-14', fineTunedDeployments: '2027-10-14' }, // [FT-TABLE]
  },
  {
    id: 'o4-mini-2025-04-16',
    encoding: 'o200k_base',
    maxExampleTokens: 65_536, // [MODELS]
    aliases: ['o4-mini'],
    methods: ['reinforcement'], // [RFT], [FT-TABLE]: RFT only
    trainingTypes: { Standard: true, GlobalStandard: false }, // [MODELS]: East US2, Sweden Central; global "-"
    developerDeployment: false, // [FT-TABLE]
    modality: 'text', // [MODELS]
    retirement: { baseModel: '2026-10-16', fineTunedDeployments: '2027-10-16' }, // [FT-TABLE]
  },
];

/**
 * Fine-tunable by invitation only, so not in the catalog (no documented per-example limit):
 * validate for them with an explicit encoding and token limit. [RFT], [FT-TABLE]
 */
export const INVITATION_ONLY: Readonly<Partial<Record<FineTuningMethod, readonly string[]>>> = {
  reinforcement: ['gpt-5-2025-08-07'],
};

export const DEFAULT_BASE_MODEL = 'gpt-4o-mini-2024-07-18';

export class UnknownModelError extends Error {
  constructor(readonly model: string) {
    super(
      `unknown base model '${model}'; known models: ${MODEL_CATALOG.map((m) => m.id).join(', ')} ` +
        `(or pass an encoding and a token limit to validate for another model)`,
    );
    this.name = 'UnknownModelError';
  }
}

/**
 * The base model behind a name: a catalog id or alias, or a fine-tuned model built on one
 * (Azure `<base>.ft-<hex>`, OpenAI `ft:<base>:<org>::<id>`) — continued fine-tuning keeps the
 * base model's tokenizer and limits.
 */
export function baseModelOf(name: string): string {
  const openAiStyle = /^ft:([^:]+):/.exec(name);
  if (openAiStyle?.[1]) return openAiStyle[1];
  const azureStyle = /^(.+?)\.ft-[0-9a-z]+(?:[-.].*)?$/i.exec(name);
  if (azureStyle?.[1]) return azureStyle[1];
  return name;
}

export function findModel(name: string): CatalogEntry | undefined {
  const base = baseModelOf(name.trim());
  return MODEL_CATALOG.find((m) => m.id === base || m.aliases?.includes(base));
}

/** Catalog models (not retired) that offer a method, by id. */
export function modelsSupporting(method: FineTuningMethod): string[] {
  return MODEL_CATALOG.filter((m) => !m.retired && m.methods.includes(method)).map((m) => m.id);
}

/** Catalog models (not retired) that take image input. */
export function visionModels(): string[] {
  return MODEL_CATALOG.filter((m) => !m.retired && m.modality === 'text+vision').map((m) => m.id);
}

/** Why Azure refuses this method on this model, or undefined when it is offered. */
export function methodRefusal(entry: CatalogEntry, method: FineTuningMethod): string | undefined {
  const others = [...modelsSupporting(method), ...(INVITATION_ONLY[method] ?? []).map((m) => `${m} (by invitation)`)];
  const supportedBy = `models that support ${method}: ${others.join(', ')}`;
  if (entry.retired) return `fine-tuning ${entry.id} is no longer offered (${entry.retired.note}); ${supportedBy}`;
  if (entry.methods.includes(method)) return undefined;
  return `${entry.id} does not support ${method} fine-tuning (it supports ${entry.methods.join(', ')}); ${supportedBy}`;
}

/** Why Azure refuses this training type on this model, or undefined when offered or undocumented. */
export function trainingTypeRefusal(entry: CatalogEntry, trainingType: string): string | undefined {
  if (entry.trainingTypes[trainingType as CatalogTrainingType] !== false) return undefined;
  const offering = MODEL_CATALOG.filter((m) => !m.retired && m.trainingTypes[trainingType as CatalogTrainingType] === true).map((m) => m.id);
  return `${entry.id} cannot be trained with trainingType ${trainingType}; models that can: ${offering.join(', ')}`;
}

export interface ModelOverride {
  encoding?: EncodingName;
  maxExampleTokens?: number;
}

/**
 * Resolves a model name to its tokenizer and limit. Overrides win (they are how a user validates
 * for a model newer than this catalog); an unknown model without both overrides is an error.
 */
export function resolveModel(name: string, override: ModelOverride = {}): ModelInfo {
  const known = findModel(name);
  if (known) {
    return {
      id: known.id,
      encoding: override.encoding ?? known.encoding,
      maxExampleTokens: override.maxExampleTokens ?? known.maxExampleTokens,
    };
  }
  if (override.encoding && override.maxExampleTokens) {
    return { id: name, encoding: override.encoding, maxExampleTokens: override.maxExampleTokens };
  }
  throw new UnknownModelError(name);
}

export function isEncodingName(value: string): value is EncodingName {
  return value === 'cl100k_base' || value === 'o200k_base';
}

export function isFineTuningMethod(value: unknown): value is FineTuningMethod {
  return typeof value === 'string' && (FINE_TUNING_METHODS as readonly string[]).includes(value);
}
