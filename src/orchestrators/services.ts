/** Clients for activities, created once per process from the app's configuration. */
import type { CognitiveServicesManagementClient } from '@azure/arm-cognitiveservices';
import type { AzureOpenAI } from 'openai';
import { appConfig, type AppConfig } from '../config.js';
import { createCognitiveServicesClient } from '../azure/arm-client.js';
import { credentialFor } from '../azure/credentials.js';
import { createOpenAIClient } from '../azure/openai-client.js';
import { createStorageClients, type StorageClients } from '../azure/storage.js';
import { RunStore } from '../runs/run-store.js';

export interface Services {
  config: AppConfig;
  storage: StorageClients;
  store: RunStore;
  openai: AzureOpenAI;
  arm: CognitiveServicesManagementClient;
}

let services: Services | undefined;

export function getServices(): Services {
  if (!services) {
    const config = appConfig();
    const storage = createStorageClients(config);
    services = {
      config,
      storage,
      store: new RunStore(storage.runs),
      openai: createOpenAIClient(config),
      // The orchestration retries (durably); the SDK's own retries would hide failures and multiply waits.
      arm: createCognitiveServicesClient({
        subscriptionId: config.arm.subscriptionId,
        credential: credentialFor(config),
        endpoint: config.arm.endpoint,
        clientOptions: { retryOptions: { maxRetries: 0 } },
      }),
    };
  }
  return services;
}
