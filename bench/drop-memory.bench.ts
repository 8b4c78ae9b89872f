/**
 * Host memory per drop size: peak RSS of dev/host while it handles one drop, for a small drop (the
 * peer) and a large one, each in a fresh child process against the same Azurite, with the two
 * trigger shapes the drop zone can use: the Event Grid-sourced blob trigger (today's; the host binds
 * the blob's bytes, as in Azure) and an Event Grid trigger (the event only). Flat means the ratio
 * stays near 1 whatever the size.
 *
 *   npm run build && node dist/bench/drop-memory.bench.js            # 10 MB vs 700 MB
 *   node dist/bench/drop-memory.bench.js --mb 200
 *
 * `--app <built app root>` measures a real build of this app instead (its `datasetDropped`
 * function, whichever trigger shape it has, until its intake of the drop finished): this
 * checkout's, or another one's, e.g. main's before a change:
 *   node dist/bench/drop-memory.bench.js --app . --mb 200
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../dev/azurite.js';
import { startHost } from '../dev/host/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, '../../test/fixtures/apps/drop-memory-app/index.mjs');
const MB = 1024 * 1024;
type Shape = 'blobTrigger' | 'eventGridTrigger' | 'app';
const containerOf = (shape: Shape): string => (shape === 'blobTrigger' ? 'drops' : shape === 'app' ? 'datasets' : 'events');

const SENTENCE = 'The quick brown fox jumps over the lazy dog while the model learns to answer briefly. ';

/**
 * A drop of `bytes` JSONL lines, generated as it is uploaded (the bench's own memory stays small).
 * For a real app (`natural`) the lines are distinct chat examples of ordinary words, as the
 * validator would see them (one letter repeated 400 times is one 400-character BPE piece).
 */
function jsonl(bytes: number, natural = false): Readable {
  const line = `${JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(400) }, { role: 'assistant', content: 'y'.repeat(400) }] })}\n`;
  let sent = 0;
  let n = 0;
  const example = (): string =>
    `${JSON.stringify({ messages: [{ role: 'user', content: `Question ${++n}: ${SENTENCE.repeat(4)}` }, { role: 'assistant', content: `Answer ${n}: ${SENTENCE.repeat(4)}` }] })}\n`;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const lines: string[] = [];
      let size = 0;
      if (natural) {
        while (size < MB) {
          const next = example();
          lines.push(next);
          size += next.length;
        }
      }
      const chunk = Buffer.from(natural ? lines.join('') : line.repeat(Math.max(1, Math.floor(MB / line.length))));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** Child mode: run the host until the drop was handled, then print peak RSS in MB. */
async function child(blobName: string, shape: Shape, appRoot?: string): Promise<void> {
  const lines: string[] = [];
  const verbose = process.env['BENCH_VERBOSE'] === '1';
  const log = (line: string): void => {
    lines.push(line);
    if (verbose) process.stderr.write(`${line.slice(0, 300)}\n`);
  };
  // The real app: its drop function subscribed like npm start does (an app whose drop function is a blob trigger ignores it).
  const realApp = shape === 'app' && appRoot;
  const host = await startHost({
    app: realApp ? path.resolve(appRoot) : app,
    port: 0,
    logger: { info: log, warn: log, error: log },
    blobPollIntervalMs: 200,
    eventGrid: { subscriptions: shape === 'eventGridTrigger' ? { droppedEvent: 'events' } : realApp && eventGridDrop(path.resolve(appRoot)) ? { datasetDropped: 'datasets' } : {} },
  });
  const done = (l: string): boolean =>
    realApp ? l.startsWith("Executed 'Functions.datasetDropped'") : l.startsWith(`dropped ${blobName}`) || l.includes('Failed');
  const deadline = Date.now() + 600_000;
  while (!lines.some(done)) {
    if (Date.now() > deadline) throw new Error('the drop was not handled within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const failed = lines.find((l) => (l.includes('Failed') || l.includes('Exception')) && (!realApp || l.includes('datasetDropped')));
  console.log(JSON.stringify({ maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), failed: failed ?? null }));
  // A real app's run goes on (its orchestration retries calls to an endpoint that is not there):
  // the drop is measured, so the host is not waited for.
  if (realApp) process.exit(0);
  await host.stop();
}

/** Whether a built app registers its drop function as an Event Grid trigger (this change) rather than a blob trigger (before it). */
function eventGridDrop(appRoot: string): boolean {
  const file = path.join(appRoot, 'dist/src/functions/dataset-dropped.js');
  return existsSync(file) && readFileSync(file, 'utf8').includes('app.eventGrid(');
}

/** Settings the real app needs to load and take a drop (no Azure OpenAI call happens before the intake ends). */
const APP_SETTINGS = {
  AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9',
  AZURE_OPENAI_API_KEY: 'bench',
  ARM_ENDPOINT: 'http://127.0.0.1:9',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'rg-bench',
  AZURE_OPENAI_ACCOUNT: 'aoai-bench',
  TASK_HUB_NAME: 'benchhub',
  DROP_SETTLE_SECONDS: '0',
};

async function measure(
  connectionString: string,
  blobs: BlobServiceClient,
  mb: number,
  shape: Shape,
  appRoot?: string,
): Promise<{ mb: number; shape: Shape; maxRssMB: number; failed: string | null }> {
  const container = blobs.getContainerClient(containerOf(shape));
  await container.createIfNotExists();
  if (appRoot) await blobs.getContainerClient('runs').createIfNotExists();
  const name = `drop-${mb}mb.jsonl`;
  await container.getBlockBlobClient(name).uploadStream(jsonl(mb * MB, shape === 'app'), 4 * MB, 4);
  const out = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', name, shape, ...(appRoot ? [appRoot] : [])], {
      env: { ...process.env, ...(appRoot ? APP_SETTINGS : {}), AzureWebJobsStorage: connectionString },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    proc.stdout.on('data', (c: Buffer) => (text += c.toString()));
    proc.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`host child exited ${code}: ${text}`))));
  });
  await container.deleteBlob(name);
  return { mb, shape, ...(JSON.parse(out.trim().split('\n').pop()!) as { maxRssMB: number; failed: string | null }) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2] as Shape, args[3]);
  const large = Number(args[args.indexOf('--mb') + 1]) || 700;
  const appRoot = args.includes('--app') ? args[args.indexOf('--app') + 1] : undefined;
  const azurite = await startAzurite();
  try {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    if (appRoot) {
      const label = `app ${path.resolve(appRoot)} (${eventGridDrop(path.resolve(appRoot)) ? 'Event Grid trigger' : 'blob trigger'})`;
      const peer = await measure(azurite.connectionString, blobs, 10, 'app', appRoot);
      const big = await measure(azurite.connectionString, blobs, large, 'app', appRoot);
      for (const m of [peer, big]) console.log(`${label} ${String(m.mb).padStart(5)} MB drop: host peak RSS ${m.maxRssMB} MB${m.failed ? ` (failed: ${m.failed})` : ''}`);
      return;
    }
    for (const shape of ['blobTrigger', 'eventGridTrigger'] as const) {
      const peer = await measure(azurite.connectionString, blobs, 10, shape);
      const big = await measure(azurite.connectionString, blobs, large, shape);
      for (const m of [peer, big]) console.log(`${shape.padEnd(16)} ${String(m.mb).padStart(5)} MB drop: host peak RSS ${m.maxRssMB} MB${m.failed ? ` (failed: ${m.failed})` : ''}`);
      console.log(`${shape.padEnd(16)} ratio ${large} MB / 10 MB: ${(big.maxRssMB / peer.maxRssMB).toFixed(2)} (flat = ~1.0; the target is < 400 MB at 700 MB)`);
    }
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
