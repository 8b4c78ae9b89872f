import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import {
  createCognitiveServicesClient,
  isLoopbackHost,
  loopbackBearerPolicy,
  parseArmEndpoint,
} from '../../../src/azure/arm-client.js';

function countingCredential(lifetimeMs: number): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    async getToken(): Promise<AccessToken> {
      credential.calls++;
      return { token: `token-${credential.calls}`, expiresOnTimestamp: Date.now() + lifetimeMs };
    },
  };
  return credential;
}

type Policy = ReturnType<typeof loopbackBearerPolicy>;

async function send(policy: Policy, url: string): Promise<string | undefined> {
  const headers = new Map<string, string>();
  const request = { url, headers } as unknown as Parameters<Policy['sendRequest']>[0];
  await policy.sendRequest(request, async () => ({ status: 200 }) as never);
  return headers.get('Authorization');
}

describe('ARM client helper', () => {
  it('recognises loopback hosts only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.1', 'management.azure.com', '127.0.0.1.example.com', '0.0.0.0']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('accepts https anywhere and http only on loopback', () => {
    expect(parseArmEndpoint('https://management.azure.com/')).toEqual({ url: 'https://management.azure.com', insecureLoopback: false });
    expect(parseArmEndpoint('http://127.0.0.1:10000')).toEqual({ url: 'http://127.0.0.1:10000', insecureLoopback: true });
    expect(() => parseArmEndpoint('http://10.0.0.5:8080')).toThrow('non-loopback host');
    expect(() => parseArmEndpoint('ftp://127.0.0.1')).toThrow('must use https');
    expect(() => parseArmEndpoint('not a url')).toThrow('not a valid URL');
  });

  it('keeps the SDK bearer policy for https and swaps in the loopback policy for local http', () => {
    const names = (endpoint?: string) =>
      createCognitiveServicesClient({ subscriptionId: 's', credential: countingCredential(3_600_000), ...(endpoint ? { endpoint } : {}) })
        .pipeline.getOrderedPolicies()
        .map((p) => p.name);
    expect(names()).toContain('bearerTokenAuthenticationPolicy');
    expect(names()).not.toContain('loopbackBearerTokenPolicy');
    const local = names('http://127.0.0.1:4000');
    expect(local).toContain('loopbackBearerTokenPolicy');
    expect(local).not.toContain('bearerTokenAuthenticationPolicy');
  });

  it('sends requests and asks tokens for the cloud its endpoint names (sovereign clouds)', async () => {
    const requested: string[] = [];
    const scopes: Array<string | string[]> = [];
    const credential: TokenCredential = {
      async getToken(s) {
        scopes.push(s);
        return { token: 't', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const client = createCognitiveServicesClient({ subscriptionId: 'sub', credential, endpoint: 'https://management.chinacloudapi.cn/' });
    client.pipeline.addPolicy({
      name: 'capture',
      async sendRequest(request) {
        requested.push(request.url);
        return { status: 200, headers: request.headers, request, bodyAsText: '{"value":[]}' } as never;
      },
    });
    for await (const _ of client.deployments.list('rg', 'acct')) void _;
    expect(requested[0]).toMatch(/^https:\/\/management\.chinacloudapi\.cn\/subscriptions\/sub\/resourceGroups\/rg\//);
    expect(scopes.flat()).toEqual(['https://management.chinacloudapi.cn/.default']);
  });

  it('caches the token until shortly before it expires', async () => {
    const longLived = countingCredential(60 * 60 * 1000);
    const policy = loopbackBearerPolicy(longLived, 'https://management.azure.com/.default');
    expect(await send(policy, 'http://127.0.0.1:1/x')).toBe('Bearer token-1');
    expect(await send(policy, 'http://127.0.0.1:1/y')).toBe('Bearer token-1');
    expect(longLived.calls).toBe(1);

    const shortLived = countingCredential(60 * 1000);
    const refreshing = loopbackBearerPolicy(shortLived, 'https://management.azure.com/.default');
    await send(refreshing, 'http://127.0.0.1:1/x');
    expect(await send(refreshing, 'http://127.0.0.1:1/y')).toBe('Bearer token-2');
  });

  it('never sends a token over http to another machine', async () => {
    const policy = loopbackBearerPolicy(countingCredential(3_600_000), 'scope');
    await expect(send(policy, 'http://10.0.0.5/x')).rejects.toThrow('refusing to send a bearer token over http to 10.0.0.5');
  });
});
