/**
 * What `npm start` does for a first run: create the app's containers and queue, and say — once,
 * with commands that work as printed — where the console is and how to drop a dataset.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { setting } from '../src/config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A connection string for the local Azurite (never a real account's: that one holds a secret). */
export function isLocalConnectionString(connectionString: string): boolean {
  return /AccountName=devstoreaccount1/i.test(connectionString) && /Endpoint=https?:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connectionString);
}

/** Creates the drop zone, the runs container and the events queue if they do not exist yet. */
export async function createAppStorage(connectionString: string, env: Env): Promise<void> {
  // Identity-based storage (no connection string) is Azure's; infra creates those there.
  if (!/AccountName=|UseDevelopmentStorage=true/i.test(connectionString)) return;
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  for (const name of ['DATASETS_CONTAINER', 'RUNS_CONTAINER']) await blobs.getContainerClient(setting(name, env) ?? '').createIfNotExists();
  await QueueServiceClient.fromConnectionString(connectionString).getQueueClient(setting('EVENTS_QUEUE', env) ?? '').createIfNotExists();
}

/** The lines `npm start` prints when everything is up. */
export function readyLines(options: { hostUrl: string; connectionString: string; env: Env }): string[] {
  const { hostUrl, connectionString, env } = options;
  const datasets = setting('DATASETS_CONTAINER', env);
  const appFlag = hostUrl === 'http://127.0.0.1:7071' ? '' : ` --app ${hostUrl}`;
  const lines = [
    'Ready.',
    `  Console:     ${hostUrl}/api/console/`,
    `  Chat API:    ${hostUrl}/api/v1  (OpenAI-compatible; model = the dataset name)`,
    `  Health:      ${hostUrl}/api/health`,
    '',
    'Start a run from another terminal in this folder:',
    `  npm run --silent ftpipe -- drop ./my-data.jsonl --watch${appFlag}`,
    `  npm run --silent ftpipe -- runs${appFlag}        (also: run <id>, watch <id>, cancel <id>, retry <id>, chat <alias>, aliases)`,
  ];
  if (isLocalConnectionString(connectionString)) {
    lines.push(
      '',
      'Or with the Azure CLI (this connection string works with every tool, az and Storage Explorer included):',
      `  export AZURE_STORAGE_CONNECTION_STRING="${connectionString}"`,
      `  az storage blob upload --container-name ${datasets} --name my-data.jsonl --file ./my-data.jsonl`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.');
  return lines;
}
