/**
 * Fine-tunable base models: which tokenizer each uses and how many tokens one training example
 * may have. Numbers are the Azure OpenAI fine-tuning limits per model version.
 */
export type EncodingName = 'cl100k_base' | 'o200k_base';

export interface ModelInfo {
  /** Canonical model id as Azure names the fine-tunable version. */
  readonly id: string;
  readonly encoding: EncodingName;
  /** Maximum tokens in one training example (context length for fine-tuning). */
  readonly maxExampleTokens: number;
  /** Shorter names users type that mean this version. */
  readonly aliases?: readonly string[];
}

export const MODEL_CATALOG: readonly ModelInfo[] = [
  { id: 'gpt-35-turbo-0613', encoding: 'cl100k_base', maxExampleTokens: 4_096 },
  { id: 'gpt-35-turbo-1106', encoding: 'cl100k_base', maxExampleTokens: 16_385 },
  { id: 'gpt-35-turbo-0125', encoding: 'cl100k_base', maxExampleTokens: 16_385, aliases: ['gpt-35-turbo'] },
  { id: 'gpt-4o-mini-2024-07-18', encoding: 'o200k_base', maxExampleTokens: 65_536, aliases: ['gpt-4o-mini'] },
  { id: 'gpt-4o-2024-08-06', encoding: 'o200k_base', maxExampleTokens: 65_536, aliases: ['gpt-4o'] },
  { id: 'gpt-4.1-2025-04-14', encoding: 'o200k_base', maxExampleTokens: 65_536, aliases: ['gpt-4.1'] },
  { id: 'gpt-4.1-mini-2025-04-14', encoding: 'o200k_base', maxExampleTokens: 65_536, aliases: ['gpt-4.1-mini'] },
  { id: 'gpt-4.1-nano-2025-04-14', encoding: 'o200k_base', maxExampleTokens: 32_768, aliases: ['gpt-4.1-nano'] },
  { id: 'o4-mini-2025-04-16', encoding: 'o200k_base', maxExampleTokens: 65_536, aliases: ['o4-mini'] },
];

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

export function findModel(name: string): ModelInfo | undefined {
  const base = baseModelOf(name.trim());
  return MODEL_CATALOG.find((m) => m.id === base || m.aliases?.includes(base));
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
