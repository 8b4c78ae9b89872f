/**
 * The Azure OpenAI + Azure Resource Manager emulator, for tests and local runs:
 *
 *   const emulator = await startEmulator({ port: 0, jobSeconds: 2, deploySeconds: 1 });
 *   // data plane: new AzureOpenAI({ endpoint: emulator.url, apiKey: emulator.apiKey, apiVersion })
 *   // management: createCognitiveServicesClient({ endpoint: emulator.url, ... }) from src/azure
 *   await emulator.close();
 */
import type { AddressInfo } from 'node:net';
import { ConfigError, parseConfigPatch, type EmulatorConfig } from './config.js';
import { StateStore } from './persistence.js';
import { createEmulatorServer } from './server.js';
import { EmulatorState } from './state.js';

export type { EmulatorConfig, InjectedError } from './config.js';
export { DEFAULT_CONFIG } from './config.js';
export { CONFIG_PATH } from './server.js';

/** The key clients must send as `api-key` unless another is configured (like Azurite's well-known key). */
export const DEFAULT_API_KEY = 'aoai-emulator-key';
export const DEFAULT_SEED = 42;

export interface EmulatorOptions extends Partial<EmulatorConfig> {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; loopback by default so nothing outside the machine can reach it. */
  host?: string;
  /** The `api-key` the data plane accepts (any `Authorization: Bearer` token is accepted too). */
  apiKey?: string;
  /** Seeds ids, learning curves and fault draws: same seed and requests, same answers. */
  seed?: number;
  /** Azure region name used in operation URLs. */
  location?: string;
  /** Where unexpected errors are reported; stderr by default. */
  log?: (line: string) => void;
  /** Keep files, jobs and deployments in this directory across restarts (in memory only when absent). */
  stateDir?: string;
}

export interface RunningEmulator {
  /** `http://<host>:<port>`: the Azure OpenAI endpoint and the ARM endpoint alike. */
  url: string;
  port: number;
  apiKey: string;
  close(): Promise<void>;
}

const NON_CONFIG_OPTIONS = ['port', 'host', 'apiKey', 'seed', 'location', 'log', 'stateDir'];

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  let config: Partial<EmulatorConfig>;
  try {
    config = parseConfigPatch(options, NON_CONFIG_OPTIONS);
  } catch (error) {
    if (error instanceof ConfigError) throw new TypeError(`startEmulator: ${error.message}`);
    throw error;
  }
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const state = new EmulatorState(config, options.seed ?? DEFAULT_SEED, options.location);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = options.stateDir ? new StateStore(options.stateDir) : undefined;
  store?.load(state);
  const server = createEmulatorServer({ state, apiKey, log, ...(store ? { store } : {}) });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    apiKey,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections from SDK clients would otherwise hold close() open.
        server.closeAllConnections();
      })),
  };
}
