/**
 * Everything the emulator remembers, in memory: files, fine-tuning jobs, fine-tuned models,
 * deployments and their long-running operations. Time moves lazily: before each request the
 * state is advanced to "now", replaying every transition that became due, in time order. That
 * keeps timestamps exact (an event is stamped with when it was due, not when it was observed)
 * and needs no background timers to clean up on close.
 */
import type { MethodType } from './azure-facts.js';
import type { FileCheck } from './file-check.js';
import { DEFAULT_CONFIG, type EmulatorConfig, type InjectedError } from './config.js';
import { deriveSeed, Rng } from './rng.js';

/** [spec-aoai FileState]; the emulator never reports the compatibility-only values (uploaded, deleting). */
export type FileStatus = 'pending' | 'processed' | 'error';

export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  content: Buffer;
  createdAt: number;
  status: FileStatus;
  /** When processing finishes (ms since epoch). */
  readyAt: number;
  /** What processing concluded, applied at `readyAt`: null = processed, else the error details. */
  outcome: string | null;
  /** The emulator's own format check (fine-tune files only). */
  check: FileCheck | null;
  /** Size in bytes (content may live on disk only, see persistence.ts). */
  bytes: number;
}

/** [spec-aoai FineTuningState] less `created` ("not returned by Azure OpenAI"). */
export type JobStatus = 'pending' | 'running' | 'pausing' | 'paused' | 'resuming' | 'succeeded' | 'failed' | 'cancelled';

export interface JobEvent {
  id: string;
  createdAt: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data?: Record<string, number>;
}

export interface MetricPoint {
  step: number;
  train_loss: number;
  train_mean_token_accuracy: number;
  valid_loss?: number;
  valid_mean_token_accuracy?: number;
}

export interface JobCheckpoint {
  id: string;
  createdAt: number;
  stepNumber: number;
  metrics: MetricPoint;
}

export interface Hyperparameters {
  n_epochs: number;
  batch_size: number;
  learning_rate_multiplier: number;
  /** Method-specific extras (dpo `beta`, reinforcement `eval_interval`, …), echoed as given. */
  [extra: string]: number | string;
}

/** A user message and the assistant reply the model learned for it. */
export interface TrainingPair {
  user: string;
  assistant: string;
}

export interface StoredJob {
  id: string;
  /** Hex part of the id; the fine-tuned model is named after it, as Azure does. */
  hex: string;
  createdAt: number;
  /** The model as requested: a base model id or an earlier fine-tuned model. */
  model: string;
  /** The root base model (continued fine-tuning keeps the original base). */
  baseModel: string;
  trainingFile: string;
  validationFile: string | null;
  suffix: string | null;
  seed: number;
  hyperparameters: Hyperparameters;
  method: MethodType;
  trainingType: string | null;
  status: JobStatus;
  /** When a pausing/resuming transition completes. */
  transitionAt: number | null;
  /** When the job was paused (its remaining training time is kept). */
  pausedAt: number | null;
  startedAt: number | null;
  /** When the running phase ends (success, or the injected failure). */
  endsAt: number | null;
  finishedAt: number | null;
  failWith: InjectedError | null;
  error: { code: string; message: string; param: string | null } | null;
  events: JobEvent[];
  checkpoints: JobCheckpoint[];
  /** Precomputed learning curve, one point per step. */
  curve: MetricPoint[];
  stepsPerEpoch: number;
  /** Steps already reported as metrics events. */
  reportedSteps: number;
  trainedTokens: number;
  pairs: TrainingPair[];
  fineTunedModel: string | null;
  resultFiles: string[];
  /** `trained_tokens` once succeeded: the file check's approximate tokens × epochs. */
  billedTokens: number;
}

export interface FineTunedModel {
  name: string;
  baseModel: string;
  jobId: string;
  pairs: TrainingPair[];
  /** Set for a checkpoint: its `ftchkpt-…` id, which can be deployed like a model name. */
  checkpointId?: string;
}

export interface ModelRef {
  format: string;
  name: string;
  version: string;
}

export interface Sku {
  name: string;
  capacity: number;
}

/** [spec-arm DeploymentProvisioningState] (see azure-facts.ts); there is no `Updating`. */
export type ProvisioningState = 'Accepted' | 'Creating' | 'Succeeded' | 'Failed' | 'Deleting' | 'Canceled' | 'Disabled';

export interface StoredOperation {
  id: string;
  /** Absolute URL path (without host) of the operation status resource. */
  path: string;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  startTime: number;
  endTime: number | null;
  error: InjectedError | null;
}

export interface PendingChange {
  kind: 'create' | 'update' | 'delete';
  /** `Accepted` until then, `Creating` after (create and update). */
  acceptedUntil: number;
  completeAt: number;
  model: ModelRef;
  sku: Sku;
  failWith: InjectedError | null;
  operation: StoredOperation;
}

export interface StoredDeployment {
  /** ARM resource id, with the casing of the PUT that created it. */
  resourceId: string;
  accountKey: string;
  name: string;
  model: ModelRef;
  sku: Sku;
  raiPolicyName: string | null;
  provisioningState: ProvisioningState;
  /** The model chat completions use; null until the first provisioning succeeds. */
  serving: ModelRef | null;
  pending: PendingChange | null;
  createdAt: number;
  modifiedAt: number;
}

export class EmulatorState {
  readonly config: EmulatorConfig;
  readonly seed: number;
  /** Ids of files, jobs, events, checkpoints, operations. */
  readonly ids: Rng;
  /** Fault draws; separate so enabling faults does not change ids. */
  readonly faultRng: Rng;
  readonly files = new Map<string, StoredFile>();
  readonly jobs = new Map<string, StoredJob>();
  readonly models = new Map<string, FineTunedModel>();
  /** Keyed by `<accountKey>/<deployment name lowercased>`. */
  readonly deployments = new Map<string, StoredDeployment>();
  readonly operations = new Map<string, StoredOperation>();
  /** Emulated time up to which job transitions have been replayed. */
  jobClock = 0;
  jobCount = 0;

  constructor(
    config: Partial<EmulatorConfig>,
    seed: number,
    /** The Azure region the emulated resource pretends to live in (appears in operation URLs). */
    readonly location = 'eastus2',
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.seed = seed;
    this.ids = new Rng(deriveSeed(seed, 'ids'));
    this.faultRng = new Rng(deriveSeed(seed, 'faults'));
  }

  /** A job's own seed when the request gives none: deterministic in the order jobs are created. */
  nextJobSeed(): number {
    this.jobCount++;
    return deriveSeed(this.seed, `job-${this.jobCount}`) & 0x7fffffff;
  }

  /** Takes (and clears) a one-shot injected fault. */
  takeFault(key: 'failNextJob' | 'failNextFile' | 'failNextDeployment'): InjectedError | null {
    const fault = this.config[key];
    this.config[key] = null;
    return fault;
  }
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
