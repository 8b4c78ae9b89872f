/**
 * The emulator's run-time configuration: timings and faults. The same fields are accepted by
 * `startEmulator(options)` and by `PATCH /__emulator/config`, and validated by one function so
 * both reject a bad value with the same message naming the field.
 */
import { ApiError } from './errors.js';

export interface InjectedError {
  code: string;
  message: string;
  /** For failNextDeployment: the final provisioning state, Failed (default), Canceled or Disabled [spec-arm]. */
  provisioningState?: 'Failed' | 'Canceled' | 'Disabled';
}

export interface EmulatorConfig {
  /** Seconds a fine-tuning job takes from creation to its final status. */
  jobSeconds: number;
  /** Seconds a deployment (or its deletion) takes to provision. */
  deploySeconds: number;
  /** Seconds an uploaded file stays `pending` before it is `processed` (or `error`). */
  fileProcessingSeconds: number;
  /** Fraction (0..1) of requests answered 429 with `Retry-After`. */
  rateLimitFraction: number;
  /** Fraction (0..1) of requests answered 500. */
  serverErrorFraction: number;
  /** `Retry-After` of injected 429 answers, in seconds. */
  retryAfterSeconds: number;
  /** Added to every request before it is answered, in milliseconds. */
  latencyMs: number;
  /** The next fine-tuning job created ends `failed` with this error (then the fault clears). */
  failNextJob: InjectedError | null;
  /** The next uploaded file ends in `error` with this message as `status_details`. */
  failNextFile: InjectedError | null;
  /** The next deployment PUT ends `Failed` with this error. */
  failNextDeployment: InjectedError | null;
}

export const DEFAULT_CONFIG: Readonly<EmulatorConfig> = {
  jobSeconds: 30,
  deploySeconds: 5,
  fileProcessingSeconds: 1,
  rateLimitFraction: 0,
  serverErrorFraction: 0,
  retryAfterSeconds: 1,
  latencyMs: 0,
  failNextJob: null,
  failNextFile: null,
  failNextDeployment: null,
};

export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof EmulatorConfig)[];

const DEFAULT_INJECTED: Record<'failNextJob' | 'failNextFile' | 'failNextDeployment', InjectedError> = {
  failNextJob: { code: 'internalFailure', message: 'The fine-tuning job failed (injected by the emulator).' },
  failNextFile: { code: 'jsonlValidationFailed', message: 'Processing of the file failed (injected by the emulator).' },
  failNextDeployment: { code: 'DeploymentFailed', message: 'The deployment failed (injected by the emulator).' },
};

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/**
 * Checks a partial configuration. Unknown keys are errors (a typo must not silently do nothing).
 * Injected errors accept `true` (a default error), `null`/`false` (clear), or `{code?, message?}`.
 */
export function parseConfigPatch(input: unknown, extraKeys: readonly string[] = []): Partial<EmulatorConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('body', 'expected a JSON object');
  }
  const out: Partial<EmulatorConfig> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined || extraKeys.includes(key)) continue;
    switch (key) {
      case 'jobSeconds':
      case 'deploySeconds':
      case 'fileProcessingSeconds':
      case 'retryAfterSeconds':
      case 'latencyMs':
        out[key] = nonNegative(key, value);
        break;
      case 'rateLimitFraction':
      case 'serverErrorFraction':
        out[key] = fraction(key, value);
        break;
      case 'failNextJob':
      case 'failNextFile':
      case 'failNextDeployment':
        out[key] = injected(key, value);
        break;
      default:
        throw new ConfigError(key, `unknown setting; known settings: ${CONFIG_KEYS.join(', ')}`);
    }
  }
  return out;
}

function nonNegative(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(field, `expected a number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function fraction(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ConfigError(field, `expected a fraction between 0 and 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

function injected(field: 'failNextJob' | 'failNextFile' | 'failNextDeployment', value: unknown): InjectedError | null {
  if (value === null || value === false) return null;
  const fallback = DEFAULT_INJECTED[field];
  if (value === true) return { ...fallback };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const { code, message, provisioningState, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new ConfigError(`${field}.${unknown[0]}`, 'unknown field; expected code and message');
    const endStates = ['Failed', 'Canceled', 'Disabled'];
    if (provisioningState !== undefined && (field !== 'failNextDeployment' || !endStates.includes(provisioningState as string))) {
      throw new ConfigError(`${field}.provisioningState`, `only failNextDeployment takes one, and it must be one of ${endStates.join(', ')}`);
    }
    if (code !== undefined && (typeof code !== 'string' || code === '')) throw new ConfigError(`${field}.code`, 'expected a non-empty string');
    if (message !== undefined && (typeof message !== 'string' || message === '')) {
      throw new ConfigError(`${field}.message`, 'expected a non-empty string');
    }
    return {
      code: (code as string | undefined) ?? fallback.code,
      message: (message as string | undefined) ?? fallback.message,
      ...(provisioningState ? { provisioningState: provisioningState as 'Failed' | 'Canceled' | 'Disabled' } : {}),
    };
  }
  throw new ConfigError(field, 'expected true, null, or an object {code, message}');
}

/** `PATCH /__emulator/config` answers a bad patch with Azure's error envelope. */
export function configErrorToApiError(error: ConfigError): ApiError {
  return new ApiError(400, { code: 'invalidPayload', message: error.message, param: error.field });
}
