/**
 * How the app authenticates to Azure OpenAI and Azure Resource Manager without keys.
 *
 * In Azure: DefaultAzureCredential, which picks the function app's managed identity (the
 * user-assigned one when AZURE_CLIENT_ID is set). On a laptop against the local emulator there is
 * no Azure login, and the emulator accepts any bearer token — so when every endpoint the
 * credential would serve is loopback http, a fixed development token is used instead. It is not a
 * secret, and such a token can only ever be sent to this machine (see arm-client.ts).
 */
import { DefaultAzureCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import type { AppConfig } from '../config.js';
import { isLoopbackHost } from './arm-client.js';

export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** A constant bearer token for local emulators; never used for a non-loopback endpoint. */
export class LocalDevelopmentCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'local-development-token', expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
  }
}

export function isLoopbackHttp(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

let azure: { clientId: string; credential: DefaultAzureCredential } | undefined;
const local = new LocalDevelopmentCredential();

/** One DefaultAzureCredential per process: it caches tokens, so creating one per call would not. */
export function azureCredential(managedIdentityClientId?: string): TokenCredential {
  const clientId = managedIdentityClientId ?? '';
  if (azure?.clientId !== clientId) {
    azure = { clientId, credential: new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}) };
  }
  return azure.credential;
}

/** The credential for Azure OpenAI and Resource Manager calls (see the module comment). */
export function credentialFor(config: Pick<AppConfig, 'openai' | 'arm' | 'managedIdentityClientId'>): TokenCredential {
  return isLoopbackHttp(config.openai.endpoint) && isLoopbackHttp(config.arm.endpoint) ? local : azureCredential(config.managedIdentityClientId);
}
