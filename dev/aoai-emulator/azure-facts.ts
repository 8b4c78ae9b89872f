/**
 * Azure facts the emulator enforces, in ONE place, each with where it comes from. Nothing here is
 * taken from `src/`: the emulator must be able to disagree with the app.
 *
 * Sources (all read through the team's search corpora; the spec files are in test/fixtures/specs):
 *  [spec-aoai]  specification/cognitiveservices/data-plane/AzureOpenAI/authoring/preview/2025-04-01-preview/azureopenai.json
 *  [spec-arm]   specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json
 *  [lifecycle]  learn.microsoft.com/azure/ai-services/openai/api-version-deprecation (GA and preview data-plane versions,
 *               "latest preview / latest GA" sections over the page's revisions)
 *  [quotas]     learn.microsoft.com/azure/ai-foundry/openai/quotas-limits (fine-tuning rows; older revisions of the
 *               same page said 50 files, 1 running job and 5 fine-tuned deployments — the current values are used)
 *  [ft-howto]   learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning (REST examples: trainingType
 *               Standard | GlobalStandard | developerTier; checkpoints `ftchkpt-…` deployable)
 *  [rft]        learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning (o4-mini: reinforcement only)
 *  [models]     learn.microsoft.com/azure/ai-foundry/openai/concepts/models#fine-tuning-models
 *  [arm-sdk]    @azure/arm-cognitiveservices `KnownDeploymentProvisioningState`
 */

/** Data-plane (`/openai/...`) api-versions Azure serves: [spec-aoai] info.version plus [lifecycle]. */
export const DATA_PLANE_API_VERSIONS: readonly string[] = [
  // GA [lifecycle]
  '2022-12-01',
  '2023-05-15',
  '2024-02-01',
  '2024-06-01',
  '2024-10-21',
  // preview [lifecycle]; 2025-04-01-preview is also [spec-aoai] info.version
  '2023-06-01-preview',
  '2023-10-01-preview',
  '2024-02-15-preview',
  '2024-03-01-preview',
  '2024-04-01-preview',
  '2024-05-01-preview',
  '2024-07-01-preview',
  '2024-08-01-preview',
  '2024-09-01-preview',
  '2024-10-01-preview',
  '2024-12-01-preview',
  '2025-01-01-preview',
  '2025-02-01-preview',
  '2025-03-01-preview',
  '2025-04-01-preview',
];

/** The v1 surface (`/openai/v1/...`) takes no date version, or one of these [lifecycle]. */
export const V1_API_VERSIONS: readonly string[] = ['v1', 'preview', 'latest'];

/**
 * ARM `Microsoft.CognitiveServices` api-versions: [spec-arm] (2025-06-01) plus the versions whose
 * examples the spec folder holds (2025-04-01-preview) and the earlier stable versions the Azure
 * SDK for JS has shipped (@azure/arm-cognitiveservices 7.x: 2023-05-01; 8.1.0, which this project
 * uses, sends 2025-09-01 — its default api-version).
 */
export const ARM_API_VERSIONS: readonly string[] = [
  '2017-04-18',
  '2021-10-01',
  '2022-12-01',
  '2023-05-01',
  '2024-10-01',
  '2025-04-01-preview',
  '2025-06-01',
  '2025-09-01',
];

/** Fine-tuning limits per resource [quotas]. */
export const LIMITS = {
  /** "Max Files per resource (fine-tuning)". */
  maxFiles: 100,
  /** "Total size of all files per resource (fine-tuning)": 1 GB. */
  maxTotalFileBytes: 1024 ** 3,
  /** "Max simultaneous running training jobs per resource". */
  maxRunningJobs: 3,
  /** "Max training jobs queued". */
  maxQueuedJobs: 20,
  /** "Max fine-tuned model deployments". */
  maxFineTunedDeployments: 10,
} as const;

/** `trainingType` values of [ft-howto]'s REST examples (not in [spec-aoai] at all). */
export const TRAINING_TYPES: readonly string[] = ['Standard', 'GlobalStandard', 'developerTier'];

/** Fine-tuning methods: `supervised`, `dpo` [spec-aoai FineTuningMethodType]; `reinforcement` [rft]. */
export type MethodType = 'supervised' | 'dpo' | 'reinforcement';

export interface FineTunableModel {
  id: string;
  aliases: readonly string[];
  methods: readonly MethodType[];
  /** Unix seconds [models] (retirement dates of the fine-tunable versions, approximate where the page gives a month). */
  deprecation: { fine_tune: number; inference: number };
}

const date = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 1000);

/** Base models Azure fine-tunes [models]; o4-mini takes only reinforcement [rft]. */
export const FINE_TUNABLE_MODELS: readonly FineTunableModel[] = [
  { id: 'gpt-35-turbo-0613', aliases: [], methods: ['supervised'], deprecation: { fine_tune: date('2025-03-01'), inference: date('2026-03-01') } },
  { id: 'gpt-35-turbo-1106', aliases: [], methods: ['supervised'], deprecation: { fine_tune: date('2025-09-01'), inference: date('2026-09-01') } },
  { id: 'gpt-35-turbo-0125', aliases: ['gpt-35-turbo'], methods: ['supervised'], deprecation: { fine_tune: date('2025-09-01'), inference: date('2026-09-01') } },
  { id: 'gpt-4o-mini-2024-07-18', aliases: ['gpt-4o-mini'], methods: ['supervised'], deprecation: { fine_tune: date('2026-07-18'), inference: date('2027-07-18') } },
  { id: 'gpt-4o-2024-08-06', aliases: ['gpt-4o'], methods: ['supervised', 'dpo'], deprecation: { fine_tune: date('2026-08-06'), inference: date('2027-08-06') } },
  { id: 'gpt-4.1-2025-04-14', aliases: ['gpt-4.1'], methods: ['supervised', 'dpo'], deprecation: { fine_tune: date('2027-04-14'), inference: date('2028-04-14') } },
  { id: 'gpt-4.1-mini-2025-04-14', aliases: ['gpt-4.1-mini'], methods: ['supervised', 'dpo'], deprecation: { fine_tune: date('2027-04-14'), inference: date('2028-04-14') } },
  { id: 'gpt-4.1-nano-2025-04-14', aliases: ['gpt-4.1-nano'], methods: ['supervised', 'dpo'], deprecation: { fine_tune: date('2027-04-14'), inference: date('2028-04-14') } },
  { id: 'o4-mini-2025-04-16', aliases: ['o4-mini'], methods: ['reinforcement'], deprecation: { fine_tune: date('2027-04-16'), inference: date('2028-04-16') } },
];

export function findFineTunable(name: string): FineTunableModel | undefined {
  return FINE_TUNABLE_MODELS.find((m) => m.id === name || m.aliases.includes(name));
}

/**
 * ARM `provisioningState` values [spec-arm DeploymentProvisioningState; arm-sdk]: Accepted,
 * Creating, Deleting, Moving, Failed, Succeeded, Disabled, Canceled. (No `Updating`.)
 */
export const PROVISIONING_STATES = ['Accepted', 'Creating', 'Deleting', 'Moving', 'Failed', 'Succeeded', 'Disabled', 'Canceled'] as const;
