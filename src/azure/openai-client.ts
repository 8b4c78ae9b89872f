import { getBearerTokenProvider } from '@azure/identity';
import { AzureOpenAI } from 'openai';
import type { AppConfig } from '../config.js';
import { COGNITIVE_SERVICES_SCOPE, credentialFor } from './credentials.js';

/**
 * The Azure OpenAI data-plane client: the API key when one is configured (local emulator, or a
 * user's choice), otherwise Microsoft Entra ID tokens from the managed identity.
 * Retries are the caller's choice (src/services.ts builds every client of the app): the SDK's quick
 * retries for activities, none for the chat proxy. Default: none.
 */
export function createOpenAIClient(
  config: Pick<AppConfig, 'openai' | 'arm' | 'managedIdentityClientId'>,
  options: { maxRetries?: number; fetch?: typeof fetch } = {},
): AzureOpenAI {
  const common = {
    endpoint: config.openai.endpoint,
    apiVersion: config.openai.apiVersion,
    maxRetries: options.maxRetries ?? 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  if (config.openai.apiKey) return new AzureOpenAI({ ...common, apiKey: config.openai.apiKey });
  return new AzureOpenAI({ ...common, azureADTokenProvider: getBearerTokenProvider(credentialFor(config), COGNITIVE_SERVICES_SCOPE) });
}
