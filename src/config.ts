/**
 * Every setting the app reads, in one place: declared once (name, meaning, default, who reads it),
 * parsed and validated together so a bad configuration fails at start-up with one clear line per
 * problem. `local.settings.sample.json`, the README and the Bicep in `infra/` are checked against
 * this table by tests, so they cannot drift from what the code reads.
 */
import { parsePriceTable, type PriceTable } from './costs/prices.js';
import { IDLE_POLICIES, type IdlePolicy } from './runs/release-options.js';
import { DEFAULT_API_VERSION, KNOWN_API_VERSIONS } from './azure/api-versions.js';
import { findModel, MODEL_CATALOG } from './validation/models.js';

export interface SettingSpec {
  readonly name: string;
  readonly description: string;
  /** Value used when the setting is absent or empty. */
  readonly default?: string;
  /** `app`: read by src/config.ts. `host`: read by the Functions host / host.json, not by app code. */
  readonly readBy: 'app' | 'host';
  /** Never logged, never put in reports; in Azure it is not needed at all (managed identity). */
  readonly secret?: boolean;
  /** Only meaningful locally (Azurite, emulator); not set on the function app in Azure. */
  readonly localOnly?: boolean;
}

export const DEPLOYMENT_SKUS = ['Standard', 'GlobalStandard', 'DeveloperTier'] as const;
/**
 * Azure's fine-tuning training tiers, spelled as the Azure documentation's REST examples and the
 * Azure SDK's tests send them (the API description does not declare `trainingType` at all).
 */
export const TRAINING_TYPES = ['Standard', 'GlobalStandard', 'developerTier'] as const;
export type DeploymentSku = (typeof DEPLOYMENT_SKUS)[number];
export type TrainingType = (typeof TRAINING_TYPES)[number];
export const QUOTA_POLICIES = ['wait', 'evict-lru'] as const;
export type QuotaPolicy = (typeof QUOTA_POLICIES)[number];

export const SETTINGS: readonly SettingSpec[] = [
  {
    name: 'AzureWebJobsStorage',
    readBy: 'app',
    localOnly: true,
    description:
      'Storage connection string (locally `UseDevelopmentStorage=true` for Azurite). In Azure the identity-based ' +
      '`AzureWebJobsStorage__blobServiceUri` / `__queueServiceUri` / `__tableServiceUri` are used instead.',
  },
  { name: 'AzureWebJobsStorage__blobServiceUri', readBy: 'app', description: 'Blob endpoint of the storage account (identity-based connection).' },
  { name: 'AzureWebJobsStorage__queueServiceUri', readBy: 'app', description: 'Queue endpoint of the storage account (identity-based connection).' },
  { name: 'AzureWebJobsStorage__tableServiceUri', readBy: 'host', description: 'Table endpoint of the storage account, for Durable Functions (identity-based connection).' },
  { name: 'AzureWebJobsStorage__credential', readBy: 'host', description: '`managedidentity` for the identity-based storage connection.' },
  { name: 'AzureWebJobsStorage__clientId', readBy: 'host', description: 'Client id of the user-assigned identity the storage connection uses.' },
  { name: 'FUNCTIONS_WORKER_RUNTIME', readBy: 'host', localOnly: true, description: 'Always `node` (set by the platform on Flex Consumption).' },
  { name: 'TASK_HUB_NAME', readBy: 'host', default: 'finetunepipeline', description: 'Durable Functions task hub name (host.json `%TASK_HUB_NAME%`): letters and digits, 3-45 characters.' },
  { name: 'DATASETS_CONTAINER', readBy: 'app', default: 'datasets', description: "Drop-zone container watched for `<name>.jsonl` files: the drop function takes Event Grid BlobCreated events of this container only (in Azure the postdeploy hook's subscription filters on it too; `npm start` subscribes it locally)." },
  { name: 'RUNS_CONTAINER', readBy: 'app', default: 'runs', description: 'Container for run records, reports, snapshots and results.' },
  { name: 'EVENTS_QUEUE', readBy: 'app', default: 'finetune-events', description: 'Storage queue that receives a JSON message for every run state change.' },
  { name: 'AZURE_OPENAI_ENDPOINT', readBy: 'app', description: 'Azure OpenAI endpoint, `https://<account>.openai.azure.com/`. Locally, `npm start` sets it to the emulator when empty.' },
  { name: 'AZURE_OPENAI_API_KEY', readBy: 'app', secret: true, localOnly: true, description: 'Optional API key. Leave empty to use Microsoft Entra ID (DefaultAzureCredential / managed identity).' },
  { name: 'AZURE_OPENAI_API_VERSION', readBy: 'app', default: '2025-04-01-preview', description: 'Azure OpenAI data-plane API version; start-up stops with one line if it is not a version Azure serves (src/azure/api-versions.ts). Fine-tuning `method` and `trainingType` need 2025-04-01-preview or later.' },
  { name: 'AZURE_CLIENT_ID', readBy: 'app', description: 'Client id of the user-assigned managed identity to authenticate with (empty: system identity or developer login).' },
  { name: 'AZURE_SUBSCRIPTION_ID', readBy: 'app', description: 'Subscription of the Azure OpenAI account (deployments are made through Azure Resource Manager).' },
  { name: 'AZURE_RESOURCE_GROUP', readBy: 'app', description: 'Resource group of the Azure OpenAI account.' },
  { name: 'AZURE_OPENAI_ACCOUNT', readBy: 'app', description: 'Name of the Azure OpenAI (Cognitive Services) account that hosts deployments.' },
  { name: 'ARM_ENDPOINT', readBy: 'app', default: 'https://management.azure.com', description: 'Azure Resource Manager endpoint (the emulator locally; a sovereign cloud endpoint if needed).' },
  { name: 'FT_BASE_MODEL', readBy: 'app', default: 'gpt-4o-mini-2024-07-18', description: 'Base model to fine-tune when the dataset options do not name one.' },
  { name: 'FT_TRAINING_TYPE', readBy: 'app', description: `Training tier when the options do not say: ${TRAINING_TYPES.join(', ')} (empty: the service default).` },
  { name: 'DEPLOYMENT_SKU', readBy: 'app', default: 'Standard', description: `Deployment type of fine-tuned models: ${DEPLOYMENT_SKUS.join(', ')}.` },
  { name: 'DEPLOYMENT_CAPACITY', readBy: 'app', default: '1', description: 'Deployment capacity in units of 1,000 tokens per minute.' },
  { name: 'POLL_MIN_SECONDS', readBy: 'app', default: '15', description: 'Shortest wait between two status checks of a file, job or deployment.' },
  { name: 'POLL_MAX_SECONDS', readBy: 'app', default: '300', description: 'Longest wait between two status checks of a running job.' },
  {
    name: 'SDK_QUICK_RETRIES',
    readBy: 'app',
    default: '2',
    description:
      'Quick retries of one Azure OpenAI or ARM request (429, 5xx, network errors) done by the SDKs themselves, honouring Retry-After, before the orchestration\'s own durable retry takes over (the chat endpoint never retries: the caller sees the failure).',
  },
  {
    name: 'OUTAGE_MAX_MINUTES',
    readBy: 'app',
    default: '60',
    description:
      'How long a run keeps waiting when Azure OpenAI or ARM cannot be reached while it watches a file, its job or its deployment (`run.delayed` is notified once the quick retries are spent); the job is picked up again when the service answers, and the run fails only after this many minutes without an answer.',
  },
  { name: 'OUTAGE_POLL_SECONDS', readBy: 'app', default: '30', description: 'First wait (seconds) between two checks during such an outage; each further wait doubles, up to 10 minutes.' },
  { name: 'DELETE_UPLOADED_FILES', readBy: 'app', default: 'true', description: 'Delete the uploaded training files from Azure OpenAI after training (a resource holds at most 100 files, 1 GB in all).' },
  { name: 'NOTIFY_WEBHOOK_URL', readBy: 'app', description: 'Optional https URL that receives every notification as a signed POST.' },
  { name: 'NOTIFY_WEBHOOK_SECRET', readBy: 'app', secret: true, description: 'HMAC-SHA256 key for the `X-Signature` header of webhook notifications (required with NOTIFY_WEBHOOK_URL).' },
  { name: 'CHAT_MAX_BODY_BYTES', readBy: 'app', default: '1048576', description: 'Largest accepted chat-completions request body, in bytes.' },
  { name: 'CHAT_MAX_MESSAGES', readBy: 'app', default: '256', description: 'Most messages accepted in one chat-completions request.' },
  { name: 'CHAT_MAX_TOKENS', readBy: 'app', default: '4096', description: 'Largest `max_tokens` / `max_completion_tokens` a chat request may ask for.' },
  { name: 'CHAT_REGISTRY_TTL_SECONDS', readBy: 'app', default: '30', description: 'How long the chat endpoint caches the alias → deployment registry before reading it again (an unknown name always reads it at once).' },
  { name: 'ALIAS_GRACE_SECONDS', readBy: 'app', default: '86400', description: 'How long (seconds) the deployment an alias pointed at before a promotion is kept for an instant rollback, then deleted by the lifecycle timer.' },
  {
    name: 'DEPLOYMENT_QUOTA',
    readBy: 'app',
    default: '10',
    description: "Fine-tuned model deployments the Azure OpenAI resource may hold (Azure's default quota is 10 per resource; raise it if yours was increased).",
  },
  {
    name: 'DEPLOYMENT_QUOTA_POLICY',
    readBy: 'app',
    default: 'wait',
    description: `When the quota is full: \`wait\` (the run waits for a free slot and says so in a notification) or \`evict-lru\` (delete the least recently used deployment of this app that no alias points at). One of ${QUOTA_POLICIES.join(', ')}.`,
  },
  { name: 'LIFECYCLE_SCHEDULE', readBy: 'app', default: '0 */10 * * * *', description: 'NCRONTAB schedule of the deployment lifecycle timer (grace periods, idle warnings and policies, missing deployments).' },
  {
    name: 'IDLE_WARN_PERCENT',
    readBy: 'app',
    default: '80',
    description: "Warn (notification) when a deployment has been idle for this share of Azure's idle limit: 15 days for fine-tuned deployments, 24 hours for Developer-tier ones.",
  },
  { name: 'IDLE_POLICY', readBy: 'app', default: 'none', description: `Default idle policy of an alias whose options set none: ${IDLE_POLICIES.join(', ')}.` },
  { name: 'IDLE_TEARDOWN_DAYS', readBy: 'app', default: '7', description: 'Idle days before `tear-down` deletes an alias\'s deployment (re-created on its next chat request), when the options do not say.' },
  { name: 'LAST_USE_FLUSH_SECONDS', readBy: 'app', default: '60', description: 'The chat endpoint writes the last use of a deployment at most this often per instance (never a storage write per request).' },
  {
    name: 'FT_PRICES',
    readBy: 'app',
    description: 'JSON over the built-in price table (training per 1M tokens and hosting per hour per base model, Global/Developer factors, currency); see the README. Empty: the documented defaults.',
  },
  {
    name: 'LOCAL_LOG_LEVEL',
    readBy: 'host',
    localOnly: true,
    default: 'info',
    description: "`npm start`'s output: `info` shows one line per run event, warnings and errors; `debug` also every function execution (like `func start --verbose`).",
  },
  { name: 'DROP_SETTLE_SECONDS', readBy: 'app', default: '5', description: 'Seconds a new `<name>.jsonl` is left to settle before it is read, so a validation or options file uploaded together with it (just after it) is still used.' },
  { name: 'ORPHAN_COMPANION_MINUTES', readBy: 'app', default: '60', description: 'Minutes after which a validation or options file whose `<name>.jsonl` never arrived is reported (`drop.ignored`, `orphan_companion`).' },
  { name: 'RUNS_API_ANONYMOUS', readBy: 'app', default: 'false', description: 'Open `GET /api/runs` and `GET /api/runs/{runId}` to callers without a function key (read when the app starts); false keeps them behind a function key in Azure.' },
  { name: 'RECONCILE_SCHEDULE', readBy: 'app', default: '0 */10 * * * *', description: 'NCRONTAB schedule (six fields, UTC) of the reconciliation timer that starts runs for drop-zone files whose Event Grid event was lost.' },
  { name: 'RECONCILE_AFTER_SECONDS', readBy: 'app', default: '600', description: 'Age a drop-zone file (or a run stuck in `validating`) must reach before the reconciliation timer takes it over from the event path.' },
  { name: 'PUBLIC_BASE_URL', readBy: 'app', description: 'Base URL of the app used in notifications (default: https://$WEBSITE_HOSTNAME in Azure, http://localhost:7071 locally).' },
];

export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; blobServiceUri: string; queueServiceUri: string };

export interface AppConfig {
  storage: StorageConnection;
  datasetsContainer: string;
  runsContainer: string;
  eventsQueue: string;
  openai: { endpoint: string; apiKey?: string; apiVersion: string };
  /** Client id of a user-assigned managed identity, for DefaultAzureCredential. */
  managedIdentityClientId?: string;
  arm: { endpoint: string; subscriptionId: string; resourceGroup: string; account: string };
  fineTuning: { baseModel: string; trainingType?: TrainingType };
  deployment: { sku: DeploymentSku; capacity: number };
  polling: { minSeconds: number; maxSeconds: number };
  /** Quick retries the openai and Azure SDKs make per request (SDK_QUICK_RETRIES). */
  sdkQuickRetries: number;
  /** The outage wait of the orchestration's polls (OUTAGE_MAX_MINUTES, OUTAGE_POLL_SECONDS). */
  outage: { maxSeconds: number; pollSeconds: number };
  deleteUploadedFiles: boolean;
  notify: { webhookUrl?: string; webhookSecret?: string };
  chat: { maxBodyBytes: number; maxMessages: number; maxTokens: number };
  intake: { settleSeconds: number; orphanMinutes: number };
  runsApiAnonymous: boolean;
  publicBaseUrl: string;
  aliases: { graceMs: number; quota: number; quotaPolicy: QuotaPolicy; idleWarnPercent: number; idlePolicy: IdlePolicy; idleTearDownDays: number; lastUseFlushMs: number; registryTtlMs: number };
  prices: PriceTable;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const SPEC = new Map(SETTINGS.map((s) => [s.name, s]));

/** A declared setting's value: the environment's (trimmed, empty = unset), else its default. */
export function setting(name: string, env: Env = process.env): string | undefined {
  const spec = SPEC.get(name);
  if (!spec) throw new Error(`setting ${name} is not declared in SETTINGS`);
  const value = env[name]?.trim();
  return value ? value : spec.default;
}

/**
 * Reads and validates every app setting. Collects all problems before failing, so one start-up
 * shows everything that needs fixing; each problem names the setting and what is expected.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => setting(name, env);
  const required = (name: string, hint: string): string => {
    const value = raw(name);
    if (!value) problems.push(`${name} is not set (${hint})`);
    return value ?? '';
  };
  const url = (name: string, value: string | undefined): string | undefined => {
    if (!value) return value;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
      return value;
    } catch {
      problems.push(`${name} must be an http(s) URL, got '${value}'`);
      return undefined;
    }
  };
  const int = (name: string, min: number, max: number): number => {
    const value = raw(name) ?? '';
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
      return min;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (!match) problems.push(`${name} must be one of ${allowed.join(', ')}, got '${value}'`);
    return match;
  };
  const bool = (name: string): boolean => {
    const value = (raw(name) ?? '').toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    problems.push(`${name} must be true or false, got '${value}'`);
    return false;
  };
  const name = (setting: string, pattern: RegExp, what: string): string => {
    const value = raw(setting) ?? '';
    if (!pattern.test(value)) problems.push(`${setting} must be ${what}, got '${value}'`);
    return value;
  };

  const storage = readStorage(raw, problems);
  const openaiEndpoint = url('AZURE_OPENAI_ENDPOINT', required('AZURE_OPENAI_ENDPOINT', 'the Azure OpenAI endpoint, https://<account>.openai.azure.com/')) ?? '';
  const apiKey = raw('AZURE_OPENAI_API_KEY');
  const managedIdentityClientId = raw('AZURE_CLIENT_ID');
  const baseModel = raw('FT_BASE_MODEL') ?? '';
  if (!findModel(baseModel)) {
    problems.push(`FT_BASE_MODEL '${baseModel}' is not a fine-tunable model; known: ${MODEL_CATALOG.map((m) => m.id).join(', ')}`);
  }
  const trainingType = oneOf('FT_TRAINING_TYPE', TRAINING_TYPES);
  const minSeconds = int('POLL_MIN_SECONDS', 1, 3600);
  const maxSeconds = int('POLL_MAX_SECONDS', 1, 3600);
  if (maxSeconds < minSeconds) problems.push(`POLL_MAX_SECONDS (${maxSeconds}) must not be less than POLL_MIN_SECONDS (${minSeconds})`);
  const webhookUrl = url('NOTIFY_WEBHOOK_URL', raw('NOTIFY_WEBHOOK_URL'));
  const webhookSecret = raw('NOTIFY_WEBHOOK_SECRET');
  if (webhookUrl && !webhookSecret) problems.push('NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set (notifications are signed)');
  const prices = parsePriceTable(raw('FT_PRICES'));
  problems.push(...prices.problems);
  const websiteHost = env['WEBSITE_HOSTNAME']?.trim();
  const publicBaseUrl =
    url('PUBLIC_BASE_URL', raw('PUBLIC_BASE_URL')) ?? (websiteHost ? `https://${websiteHost}` : 'http://localhost:7071');

  const config: AppConfig = {
    storage,
    datasetsContainer: name('DATASETS_CONTAINER', CONTAINER_NAME, 'a storage container name (3-63 lower-case letters, digits, hyphens)'),
    runsContainer: name('RUNS_CONTAINER', CONTAINER_NAME, 'a storage container name (3-63 lower-case letters, digits, hyphens)'),
    eventsQueue: name('EVENTS_QUEUE', CONTAINER_NAME, 'a storage queue name (3-63 lower-case letters, digits, hyphens)'),
    openai: {
      endpoint: openaiEndpoint,
      apiVersion: knownApiVersion(raw('AZURE_OPENAI_API_VERSION') ?? DEFAULT_API_VERSION, problems),
      ...(apiKey ? { apiKey } : {}),
    },
    ...(managedIdentityClientId ? { managedIdentityClientId } : {}),
    arm: {
      endpoint: url('ARM_ENDPOINT', raw('ARM_ENDPOINT')) ?? '',
      subscriptionId: required('AZURE_SUBSCRIPTION_ID', 'the subscription of the Azure OpenAI account'),
      resourceGroup: required('AZURE_RESOURCE_GROUP', 'the resource group of the Azure OpenAI account'),
      account: required('AZURE_OPENAI_ACCOUNT', 'the name of the Azure OpenAI account'),
    },
    fineTuning: { baseModel, ...(trainingType ? { trainingType } : {}) },
    deployment: { sku: oneOf('DEPLOYMENT_SKU', DEPLOYMENT_SKUS) ?? 'Standard', capacity: int('DEPLOYMENT_CAPACITY', 1, 10_000) },
    polling: { minSeconds, maxSeconds },
    sdkQuickRetries: int('SDK_QUICK_RETRIES', 0, 10),
    outage: { maxSeconds: int('OUTAGE_MAX_MINUTES', 1, 7 * 24 * 60) * 60, pollSeconds: int('OUTAGE_POLL_SECONDS', 1, 3600) },
    deleteUploadedFiles: bool('DELETE_UPLOADED_FILES'),
    notify: { ...(webhookUrl ? { webhookUrl } : {}), ...(webhookSecret ? { webhookSecret } : {}) },
    chat: {
      maxBodyBytes: int('CHAT_MAX_BODY_BYTES', 1024, 100 * 1024 * 1024),
      maxMessages: int('CHAT_MAX_MESSAGES', 1, 10_000),
      maxTokens: int('CHAT_MAX_TOKENS', 1, 1_000_000),
    },
    intake: { settleSeconds: int('DROP_SETTLE_SECONDS', 0, 300), orphanMinutes: int('ORPHAN_COMPANION_MINUTES', 1, 7 * 24 * 60) },
    runsApiAnonymous: bool('RUNS_API_ANONYMOUS'),
    publicBaseUrl: publicBaseUrl.replace(/\/+$/, ''),
    aliases: {
      graceMs: int('ALIAS_GRACE_SECONDS', 0, 30 * 86_400) * 1000,
      quota: int('DEPLOYMENT_QUOTA', 1, 1000),
      quotaPolicy: oneOf('DEPLOYMENT_QUOTA_POLICY', QUOTA_POLICIES) ?? 'wait',
      idleWarnPercent: int('IDLE_WARN_PERCENT', 1, 100),
      idlePolicy: oneOf('IDLE_POLICY', IDLE_POLICIES) ?? 'none',
      idleTearDownDays: int('IDLE_TEARDOWN_DAYS', 1, 365),
      lastUseFlushMs: int('LAST_USE_FLUSH_SECONDS', 1, 3600) * 1000,
      registryTtlMs: int('CHAT_REGISTRY_TTL_SECONDS', 0, 3600) * 1000,
    },
    prices: prices.table,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

function readStorage(raw: (name: string) => string | undefined, problems: string[]): StorageConnection {
  const connectionString = raw('AzureWebJobsStorage');
  if (connectionString) return { kind: 'connectionString', connectionString };
  const blobServiceUri = raw('AzureWebJobsStorage__blobServiceUri');
  const queueServiceUri = raw('AzureWebJobsStorage__queueServiceUri');
  if (blobServiceUri && queueServiceUri) return { kind: 'identity', blobServiceUri, queueServiceUri };
  problems.push(
    'AzureWebJobsStorage is not set (a connection string, or AzureWebJobsStorage__blobServiceUri and __queueServiceUri for managed identity)',
  );
  return { kind: 'connectionString', connectionString: '' };
}

let loaded: AppConfig | undefined;

/** The app's configuration, read and validated once per process (functions call this, not loadConfig). */
export function appConfig(): AppConfig {
  loaded ??= loadConfig(process.env);
  return loaded;
}

/** AZURE_OPENAI_API_VERSION must be a version Azure serves (src/azure/api-versions.ts). */
function knownApiVersion(value: string, problems: string[]): string {
  if (!KNOWN_API_VERSIONS.includes(value)) {
    problems.push(`AZURE_OPENAI_API_VERSION '${value}' is not an Azure OpenAI API version; use one of ${KNOWN_API_VERSIONS.join(', ')} (default ${DEFAULT_API_VERSION})`);
  }
  return value;
}
