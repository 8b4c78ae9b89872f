/**
 * `npm run bench:chat`: throughput and latency of `POST /api/v1/chat/completions` through the
 * local Functions host (dev/host) against the same requests sent to the Azure OpenAI emulator
 * directly, in the same run. The emulator and the host each run in their own process (as Azure
 * OpenAI and the function app are separate machines), the load generator (autocannon) in this
 * one; every target is on 127.0.0.1 and every run is a bounded number of requests. Direct and
 * through-host runs alternate, best of the rounds. Targets: through-host throughput ≥ 50 % of
 * direct at concurrency 16, p50 overhead ≤ 5 ms.
 *
 *   npm run bench:chat -- [--requests 4000] [--rounds 3] [--concurrency 1,16,64] [--profile-host <dir>] [--quiet-host]
 *
 * `--profile-host <dir>` runs the host child under `node --cpu-prof` and writes its profile there
 * (NODE_OPTIONS may not carry --cpu-prof).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once, type EventEmitter } from 'node:events';
import { openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import { startAzurite } from '../dev/azurite.js';
import { createCognitiveServicesClient } from '../src/azure/arm-client.js';
import { recordDeployment } from '../src/runs/deployment-registry.js';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Cannon = (options: Record<string, unknown>, done: (error: Error | null, result: CannonResult) => void) => EventEmitter;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

/**
 * One bounded autocannon run and its requests per second. autocannon only reports on its 1-second
 * sampling tick, so the time to its result is the run rounded up to whole seconds (a 1.1 s run
 * looked like 2 s: every rate came out as requests ÷ an integer, the fast direct runs worst). The
 * rate here is over the time to the last response instead.
 */
function cannon(options: Record<string, unknown>): Promise<{ result: CannonResult; perSecond: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = started;
    const tracker = autocannon(options, (error, result) => (error ? reject(error) : resolve({ result, perSecond: result.requests.total / ((last - started) / 1000) })));
    tracker.on('response', () => {
      last = performance.now();
    });
  });
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const API_KEY = 'bench-key';
const FUNCTION_KEY = 'bench-fn-key';
const DEPLOYMENT = 'bench-bot';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const RESOURCE_GROUP = 'rg-bench';
const ACCOUNT = 'aoai-bench';
const CONCURRENCY = (process.argv.includes('--concurrency') ? process.argv[process.argv.indexOf('--concurrency') + 1]! : '1,16').split(',').map(Number);

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};

/** Starts `node <script> …` and resolves with the first `http://127.0.0.1:<port>` it prints. */
async function startChild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  // A data listener, not for-await: leaving a for-await loop would close the pipe under the child.
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      seen += String(chunk);
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(seen);
      if (match) resolve(match[0]);
    });
    child.once('exit', () => reject(new Error(`${args.join(' ')} exited before listening: ${seen}`)));
  });
  return { child, url };
}

/**
 * Child mode: the function app in dev/host until killed, logging what host.json lets through as
 * `npm start` does (time-stamped lines, `LOCAL_LOG_LEVEL=info`), written to /dev/null: the
 * per-request log lines cost what they cost a user, without flooding the bench's output.
 * `--quiet-host` drops every line instead (nothing formatted or written).
 */
async function hostChild(): Promise<void> {
  const { startHost } = await import('../dev/host/index.js');
  const sink = openSync('/dev/null', 'w');
  const stamp = (): string => new Date().toISOString().replace('T', ' ').replace('Z', '');
  const write = (message: string): void => void writeSync(sink, `[${stamp()}] ${message}\n`);
  const logger = process.argv.includes('--quiet-host')
    ? { info: () => {}, warn: () => {}, error: (m: string) => console.error(m) }
    : { info: write, warn: write, error: (m: string) => console.error(m), debug: () => {} };
  const host = await startHost({ app: REPO, port: 0, logger, keys: { master: 'bench-master', function: [FUNCTION_KEY] } });
  // Exit normally on SIGTERM, so `--cpu-prof` (via NODE_OPTIONS) can write its profile.
  process.once('SIGTERM', () => void host.stop().finally(() => process.exit(0)));
  console.log(host.url);
}

/**
 * CPU seconds (user + system) a child has used so far, from /proc (Linux): the host's CPU per
 * request is far less disturbed by other load on the machine than its requests per second.
 */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function main(): Promise<number> {
  if (process.argv[2] === '--host-child') {
    await hostChild();
    return 0;
  }
  const requests = Number(arg('requests', '4000'));
  const rounds = Number(arg('rounds', '3'));
  const azurite = await startAzurite();
  const emulator = await startChild([path.join(REPO, 'dist/dev/aoai-emulator/main.js'), '--port', '0', '--api-key', API_KEY, '--deploy-seconds', '0']);
  const children = [emulator.child];
  try {
    const credential: TokenCredential = { getToken: async () => ({ token: 'bench', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const arm = createCognitiveServicesClient({ subscriptionId: SUBSCRIPTION, credential, endpoint: emulator.url });
    await arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, DEPLOYMENT, { sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name: 'gpt-4o-mini-2024-07-18', version: '2024-07-18' } } }, { updateIntervalInMs: 50 });
    const runs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
    await runs.createIfNotExists();
    await recordDeployment(runs, { deploymentName: DEPLOYMENT, dataset: 'bench', model: 'gpt-4o-mini-2024-07-18', runId: 'bench-0001', updatedAt: new Date().toISOString() });
    const profileDir = process.argv.includes('--profile-host') ? arg('profile-host', '.') : undefined;
    const hostArgs = [fileURLToPath(import.meta.url), '--host-child', ...(process.argv.includes('--quiet-host') ? ['--quiet-host'] : [])];
    const host = await startChild([...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...hostArgs], {
      ...process.env,
      AzureWebJobsStorage: azurite.connectionString,
      AZURE_OPENAI_ENDPOINT: emulator.url,
      AZURE_OPENAI_API_KEY: API_KEY,
      ARM_ENDPOINT: emulator.url,
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AZURE_RESOURCE_GROUP: RESOURCE_GROUP,
      AZURE_OPENAI_ACCOUNT: ACCOUNT,
    });
    children.push(host.child);

    const messages = [{ role: 'user', content: 'Hello, who are you?' }];
    const targets = {
      direct: {
        url: `${emulator.url}/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=2024-10-21`,
        headers: { 'content-type': 'application/json', 'api-key': API_KEY },
        body: JSON.stringify({ messages, max_tokens: 20 }),
      },
      'through host': {
        url: `${host.url}/api/v1/chat/completions`,
        headers: { 'content-type': 'application/json', 'x-functions-key': FUNCTION_KEY },
        body: JSON.stringify({ model: 'bench', messages, max_tokens: 20 }),
      },
    };
    // What the host spends with no requests at all (its pollers: blob, queue, timer, durable).
    const idleBefore = cpuSeconds(host.child.pid);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleCpuMsPerSecond = ((cpuSeconds(host.child.pid) - idleBefore) * 1000) / 3;
    console.log(`\n### Chat endpoint through the local host vs the emulator directly (${requests} requests per run, best of ${rounds})\n`);
    console.log('| concurrency | direct req/s | through host req/s | host ÷ direct | direct p50 ms | host p50 ms | p50 overhead ms | direct p99 ms | host p99 ms | host CPU ms/request |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    let met = true;
    for (const connections of CONCURRENCY) {
      const best: Record<string, CannonResult> = {};
      let hostCpuMs = Infinity;
      for (let round = 0; round < rounds; round++) {
        for (const [name, target] of Object.entries(targets)) {
          const cpuBefore = cpuSeconds(host.child.pid);
          const { result, perSecond } = await cannon({ ...target, method: 'POST', connections, amount: requests });
          if (name === 'through host') hostCpuMs = Math.min(hostCpuMs, ((cpuSeconds(host.child.pid) - cpuBefore) * 1000) / requests);
          result.requests.average = perSecond;
          if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
          if (!best[name] || result.requests.average > best[name]!.requests.average) best[name] = result;
        }
      }
      const direct = best['direct']!;
      const viaHost = best['through host']!;
      const ratio = viaHost.requests.average / direct.requests.average;
      const overhead = viaHost.latency.p50 - direct.latency.p50;
      console.log(
        `| ${connections} | ${direct.requests.average.toFixed(0)} | ${viaHost.requests.average.toFixed(0)} | ${(ratio * 100).toFixed(0)} % | ${direct.latency.p50} | ${viaHost.latency.p50} | ${overhead.toFixed(1)} | ${direct.latency.p99} | ${viaHost.latency.p99} | ${hostCpuMs.toFixed(2)} |`,
      );
      if (connections === 16 && (ratio < 0.5 || overhead > 5)) met = false;
    }
    console.log(`\nhost CPU while idle: ${idleCpuMsPerSecond.toFixed(0)} ms per second`);
    console.log(met ? '\ntargets met (≥ 50 % of direct throughput and ≤ 5 ms p50 overhead at concurrency 16)' : '\nTARGETS NOT MET');
    return met ? 0 : 1;
  } finally {
    for (const child of children) {
      child.kill();
      await once(child, 'exit');
    }
    await azurite.stop();
  }
}

process.exitCode = await main();
