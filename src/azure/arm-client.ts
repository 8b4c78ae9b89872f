/**
 * The Azure Resource Manager client for Cognitive Services (model deployments).
 *
 * Against Azure (https) this is the SDK's client as it comes. Against a local emulator on
 * http://127.0.0.1 the SDK needs two changes: `allowInsecureConnection`, and a bearer-token policy
 * that accepts http — the SDK's own refuses to send a token over a non-TLS connection, rightly.
 * Both are applied only when the endpoint is explicitly http AND on a loopback host, so a token
 * can never leave the machine unencrypted.
 */
import { CognitiveServicesManagementClient, type CognitiveServicesManagementClientOptionalParams } from '@azure/arm-cognitiveservices';
import type { AccessToken, TokenCredential } from '@azure/identity';

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const ARM_SCOPE = 'https://management.azure.com/.default';
/** The name the SDK gives its bearer policy (`bearerTokenAuthenticationPolicyName` in core-rest-pipeline). */
const SDK_BEARER_POLICY = 'bearerTokenAuthenticationPolicy';
/** Refresh a cached token this long before it expires. */
const REFRESH_MARGIN_MS = 2 * 60 * 1000;

type PipelinePolicy = Parameters<CognitiveServicesManagementClient['pipeline']['addPolicy']>[0];

export interface ArmClientOptions {
  subscriptionId: string;
  credential: TokenCredential;
  /** ARM endpoint; default https://management.azure.com. http is accepted only on a loopback host. */
  endpoint?: string;
  /** Further SDK options (retries, api-version, user agent); the endpoint settings are managed here. */
  clientOptions?: Omit<CognitiveServicesManagementClientOptionalParams, 'endpoint' | '$host' | 'baseUri' | 'allowInsecureConnection'>;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Parses and checks an ARM endpoint; throws a clear error for anything but https or loopback http. */
export function parseArmEndpoint(endpoint: string): { url: string; insecureLoopback: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new Error(`ARM endpoint '${endpoint}' is not a valid URL`);
  }
  const url = parsed.origin + parsed.pathname.replace(/\/+$/, '');
  if (parsed.protocol === 'https:') return { url, insecureLoopback: false };
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return { url, insecureLoopback: true };
  if (parsed.protocol === 'http:') {
    throw new Error(`ARM endpoint '${endpoint}' uses http on a non-loopback host; bearer tokens are only sent over http to 127.0.0.1, ::1 or localhost`);
  }
  throw new Error(`ARM endpoint '${endpoint}' must use https (or http on a loopback host)`);
}

/**
 * Sets `Authorization: Bearer <token>` from a credential, caching the token until shortly before
 * it expires. Used only for loopback http endpoints (see parseArmEndpoint).
 */
export function loopbackBearerPolicy(credential: TokenCredential, scopes: string | string[]): PipelinePolicy {
  let cached: AccessToken | null = null;
  let refreshing: Promise<AccessToken> | null = null;
  const token = async (): Promise<AccessToken> => {
    if (cached && cached.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now()) return cached;
    refreshing ??= credential
      .getToken(scopes)
      .then((fresh) => {
        if (!fresh) throw new Error('the credential returned no access token for Azure Resource Manager');
        cached = fresh;
        return fresh;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };
  return {
    name: 'loopbackBearerTokenPolicy',
    async sendRequest(request, next) {
      const url = new URL(request.url);
      if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
        throw new Error(`refusing to send a bearer token over http to ${url.host}`);
      }
      request.headers.set('Authorization', `Bearer ${(await token()).token}`);
      return next(request);
    },
  };
}

export function createCognitiveServicesClient(options: ArmClientOptions): CognitiveServicesManagementClient {
  const { url, insecureLoopback } = parseArmEndpoint(options.endpoint ?? DEFAULT_ARM_ENDPOINT);
  const clientOptions = options.clientOptions ?? {};
  if (!insecureLoopback) {
    return new CognitiveServicesManagementClient(options.credential, options.subscriptionId, { ...clientOptions, endpoint: url });
  }
  const client = new CognitiveServicesManagementClient(options.credential, options.subscriptionId, {
    ...clientOptions,
    endpoint: url,
    $host: url,
    allowInsecureConnection: true,
  });
  client.pipeline.removePolicy({ name: SDK_BEARER_POLICY });
  client.pipeline.addPolicy(loopbackBearerPolicy(options.credential, clientOptions.credentialScopes ?? ARM_SCOPE), { phase: 'Sign' });
  return client;
}
