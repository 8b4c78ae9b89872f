/**
 * The one place that builds the app's clients, for every function and activity: configuration,
 * storage, the run store, Azure OpenAI and ARM. Built on first use, not at import (the health
 * endpoint must answer even when settings are missing), then reused for the life of the process
 * (connection pools, cached Entra ID tokens).
 *
 * Retries are split in two layers with one decision each:
 * - quick retries of one request (a 429 or 5xx blip, a dropped connection) are the SDKs' own —
 *   `openai` (`maxRetries`, honours `retry-after-ms`/`Retry-After`) and the Azure SDK pipeline's
 *   retry policies (exponential and throttling, honours `Retry-After`) — SDK_QUICK_RETRIES each;
 * - slow retries across a real outage belong to the durable orchestration (callActivityWithRetry,
 *   and the outage wait of its polls), which needs only the permanent/transient decision
 *   (azure/service-errors.ts) from the activities.
 * The chat proxy's client does not retry at all: a person waiting on a chat answer should see a
 * failure at once (with the service's status), not after seconds of silent retries.
 */
import type { CognitiveServicesManagementClient } from '@azure/arm-cognitiveservices';
import type { AzureOpenAI } from 'openai';
import { appConfig, type AppConfig } from './config.js';
import { createCognitiveServicesClient } from './azure/arm-client.js';
import { credentialFor } from './azure/credentials.js';
import { createOpenAIClient } from './azure/openai-client.js';
import { createStorageClients, type StorageClients } from './azure/storage.js';
import { keepAliveFetch } from './chat/http-fetch.js';
import { RunStore } from './runs/run-store.js';

export interface Services {
  readonly config: AppConfig;
  readonly storage: StorageClients;
  readonly store: RunStore;
  /** Activities and background work: the SDK's quick retries (SDK_QUICK_RETRIES). */
  readonly openai: AzureOpenAI;
  /** The chat proxy: no retries, keep-alive transport (chat/http-fetch.ts). */
  readonly chatOpenai: AzureOpenAI;
  /** Deployments through Azure Resource Manager: the Azure SDK's retry policies (SDK_QUICK_RETRIES). */
  readonly arm: CognitiveServicesManagementClient;
}

let services: Services | undefined;

/**
 * The time limit of one status read (job, file, deployment). The SDKs' default is 10 minutes per
 * request — right for an upload, but a read that hangs that long, retried by the SDK and then by
 * the orchestration, would hold a run ~90 minutes before the outage handling notices anything.
 */
export const STATUS_READ_TIMEOUT_MS = 30_000;

/** Each client is built when first asked for, so a function that needs only storage never builds a credential. */
export function getServices(): Services {
  if (services) return services;
  const config = appConfig();
  const once = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const storage = once(() => createStorageClients(config));
  const store = once(() => new RunStore(storage().runs));
  const openai = once(() => createOpenAIClient(config, { maxRetries: config.sdkQuickRetries }));
  const chatOpenai = once(() => createOpenAIClient(config, { maxRetries: 0, fetch: keepAliveFetch }));
  const arm = once(() =>
    createCognitiveServicesClient({
      subscriptionId: config.arm.subscriptionId,
      credential: credentialFor(config),
      endpoint: config.arm.endpoint,
      clientOptions: { retryOptions: { maxRetries: config.sdkQuickRetries } },
    }),
  );
  services = {
    config,
    get storage() {
      return storage();
    },
    get store() {
      return store();
    },
    get openai() {
      return openai();
    },
    get chatOpenai() {
      return chatOpenai();
    },
    get arm() {
      return arm();
    },
  };
  return services;
}
