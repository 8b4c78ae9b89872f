/**
 * The whole pipeline on this machine for end-to-end tests: a throw-away Azurite, the Azure OpenAI
 * + ARM emulator and dev/host running the app's own build (dist/src/index.js), all on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { AzureOpenAI } from 'openai';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../dev/aoai-emulator/index.js';
import { startHost, type HostOptions, type RunningHost } from '../../dev/host/index.js';
import { createCognitiveServicesClient } from '../../src/azure/arm-client.js';
import { FINAL_STATUSES, type RunEvent, type RunRecord, type RunStatus } from '../../src/runs/run-record.js';
import { startAzurite, type RunningAzurite } from './azurite.js';
import { collectingLogger } from './collecting-logger.js';
import { REPO_ROOT } from './paths.js';
import { waitFor } from './wait.js';

export { REPO_ROOT };
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_GROUP = 'rg-e2e';
export const ACCOUNT = 'aoai-e2e';
export const API_VERSION = '2025-04-01-preview';
/** Short timings: a whole run takes seconds. */
export const FAST_EMULATOR: EmulatorOptions = { jobSeconds: 4, deploySeconds: 1, fileProcessingSeconds: 0.2, seed: 11 };

export type RunView = RunRecord & { orchestration: { runtimeStatus: string; customStatus: Record<string, unknown> | null; lastUpdatedTime: string } | null };

/** The app settings the pipeline needs, pointing at this Azurite and emulator. */
export function pipelineSettings(azurite: RunningAzurite, emulator: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AzureWebJobsStorage: azurite.connectionString,
    TASK_HUB_NAME: 'e2ehub',
    DATASETS_CONTAINER: 'datasets',
    RUNS_CONTAINER: 'runs',
    EVENTS_QUEUE: 'finetune-events',
    AZURE_OPENAI_ENDPOINT: emulator.url,
    AZURE_OPENAI_API_KEY: emulator.apiKey,
    AZURE_OPENAI_API_VERSION: API_VERSION,
    ARM_ENDPOINT: emulator.url,
    AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
    AZURE_RESOURCE_GROUP: RESOURCE_GROUP,
    AZURE_OPENAI_ACCOUNT: ACCOUNT,
    POLL_MIN_SECONDS: '1',
    POLL_MAX_SECONDS: '2',
    // Short, not zero: the settle path runs, without adding seconds to every end-to-end run.
    DROP_SETTLE_SECONDS: '1',
    // What `npm start` sets (dev/start.ts subscribeDropZone): Azurite's drops reach the Event Grid trigger.
    DEV_HOST_EVENTGRID_SUBSCRIPTIONS: `datasetDropped=${extra['DATASETS_CONTAINER'] ?? 'datasets'}`,
    ...extra,
  };
}

export interface PipelineClients {
  datasets: ContainerClient;
  runs: ContainerClient;
  events: QueueClient;
  openai: AzureOpenAI;
  arm: ReturnType<typeof createCognitiveServicesClient>;
}

export function pipelineClients(azurite: RunningAzurite, emulator: RunningEmulator): PipelineClients {
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  return {
    datasets: blobs.getContainerClient('datasets'),
    runs: blobs.getContainerClient('runs'),
    events: new QueueClient(azurite.connectionString, 'finetune-events'),
    openai: new AzureOpenAI({ endpoint: emulator.url, apiKey: emulator.apiKey, apiVersion: API_VERSION, maxRetries: 0 }),
    arm: createCognitiveServicesClient({
      subscriptionId: SUBSCRIPTION,
      credential: { getToken: async () => ({ token: 'test', expiresOnTimestamp: Date.now() + 3_600_000 }) },
      endpoint: emulator.url,
      clientOptions: { retryOptions: { maxRetries: 0 } },
    }),
  };
}

export interface PipelineStack extends PipelineClients {
  azurite: RunningAzurite;
  emulator: RunningEmulator;
  host: RunningHost;
  logLines: string[];
  drop(name: string, content: string | Buffer): Promise<{ etag: string }>;
  run(runId: string): Promise<RunView>;
  untilRun(dataset: string, statuses: readonly RunStatus[], timeoutMs?: number): Promise<RunView>;
  queued(runId: string): Promise<RunEvent[]>;
  /** PATCH the emulator's fault and timing settings (`/__emulator/config`); throws unless it accepts them. */
  configureEmulator(patch: Record<string, unknown>): Promise<void>;
  /** Whether ARM has a deployment of that name on the test account (404 = no; other errors are thrown). */
  deploymentExists(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** Starts Azurite, the emulator and dev/host in this process, with the app's settings in process.env. */
export async function startPipelineStack(
  options: { emulator?: EmulatorOptions; settings?: Record<string, string>; host?: Partial<HostOptions> } = {},
): Promise<PipelineStack> {
  const azurite = await startAzurite();
  const emulator = await startEmulator({ ...FAST_EMULATOR, port: 0, log: () => undefined, ...options.emulator });
  Object.assign(process.env, pipelineSettings(azurite, emulator, options.settings));
  const logger = collectingLogger();
  const host = await startHost({ app: REPO_ROOT, port: 0, logger, blobPollIntervalMs: 100, ...options.host });
  const clients = pipelineClients(azurite, emulator);
  await clients.datasets.createIfNotExists();
  const api = apiOf(host.url);
  return {
    ...clients,
    azurite,
    emulator,
    host,
    logLines: logger.lines,
    drop: async (name, content) => {
      const body = typeof content === 'string' ? Buffer.from(content) : content;
      const response = await clients.datasets.getBlockBlobClient(name).upload(body, body.length);
      return { etag: response.etag ?? '' };
    },
    run: api.run,
    untilRun: api.untilRun,
    queued: (runId) => queuedEvents(clients.events, runId),
    configureEmulator: async (patch) => {
      const response = await fetch(`${emulator.url}/__emulator/config`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'api-key': emulator.apiKey },
        body: JSON.stringify(patch),
      });
      if (response.status !== 200) throw new Error(`emulator config ${JSON.stringify(patch)}: ${response.status} ${await response.text()}`);
    },
    deploymentExists: async (name) => {
      try {
        await clients.arm.deployments.get(RESOURCE_GROUP, ACCOUNT, name);
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw error;
      }
    },
    stop: async () => {
      await host.stop();
      await emulator.close();
      await azurite.stop();
    },
  };
}

export function apiOf(baseUrl: string): Pick<PipelineStack, 'run' | 'untilRun'> {
  const run = async (runId: string): Promise<RunView> => {
    const response = await fetch(`${baseUrl}/api/runs/${runId}`);
    if (response.status !== 200) throw new Error(`GET run ${runId}: ${response.status} ${await response.text()}`);
    return (await response.json()) as RunView;
  };
  const untilRun = (dataset: string, statuses: readonly RunStatus[], timeoutMs = 40_000): Promise<RunView> =>
    waitFor(
      async () => {
        const response = await fetch(`${baseUrl}/api/runs?dataset=${encodeURIComponent(dataset)}`);
        const { runs } = (await response.json()) as { runs: RunRecord[] };
        const match = runs.find((r) => statuses.includes(r.status));
        if (!match) return undefined;
        // The run record reaches its final status just before the orchestration returns: a test
        // that then asserts on the orchestration must see it finished, not still Running.
        const view = await run(match.runId);
        const finalRecord = FINAL_STATUSES.includes(view.status);
        const orchestrationOpen = ['Running', 'Pending', 'ContinuedAsNew'].includes(view.orchestration?.runtimeStatus ?? '');
        return finalRecord && orchestrationOpen ? undefined : view;
      },
      `a run of ${dataset} to be ${statuses.join('/')}`,
      timeoutMs,
      200,
    );
  return { run, untilRun };
}

/** The events on the queue for one run, in queue order (peeked, so they stay for later checks). */
export async function queuedEvents(queue: QueueClient, runId: string): Promise<RunEvent[]> {
  if (!(await queue.exists())) return [];
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => JSON.parse(m.messageText) as RunEvent).filter((e) => e.runId === runId);
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
