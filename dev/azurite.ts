import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { developmentStorageConnectionString } from './host/storage.js';

export interface AzuriteOptions {
  /** Folder for Azurite's data; omitted means in memory (gone when it stops). */
  location?: string;
  /** Ports (0 = any free port). Default 0 each. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
}

export interface RunningAzurite {
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

const accountKey = /AccountKey=([^;]+)/.exec(developmentStorageConnectionString)![1]!;
const services = ['Blob', 'Queue', 'Table'] as const;
const exitWithParent = "process.stdin.on('end', () => process.exit(0)); process.stdin.on('error', () => process.exit(0)); process.stdin.resume();";

/** Azurite's CLI inside node_modules, run with the same Node binary as us. */
function azuriteCli(): string {
  const pkg = createRequire(import.meta.url).resolve('azurite/package.json');
  return path.join(path.dirname(pkg), 'dist', 'src', 'azurite.js');
}

/**
 * Starts Azurite (blob, queue, table) from node_modules as a child process bound to 127.0.0.1 and
 * resolves once all three services listen, with their real ports (free ones when asked for 0).
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const args = [
    azuriteCli(),
    '--blobHost', '127.0.0.1', '--queueHost', '127.0.0.1', '--tableHost', '127.0.0.1',
    '--blobPort', String(options.blobPort ?? 0),
    '--queuePort', String(options.queuePort ?? 0),
    '--tablePort', String(options.tablePort ?? 0),
    '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
  ];
  // Azurite lives exactly as long as its parent: it exits when the pipe on its stdin closes, which
  // happens on every way the parent can end (Ctrl-C, a crash, kill -9), so `npm start` never
  // leaves an Azurite behind holding the ports.
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(exitWithParent)}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const endpoints = await waitForEndpoints(child);
  const [blobEndpoint, queueEndpoint, tableEndpoint] = services.map((s) => `${endpoints.get(s)}/devstoreaccount1`) as [string, string, string];
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${accountKey};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`;
  return { connectionString, blobEndpoint, queueEndpoint, tableEndpoint, stop: () => stopChild(child) };
}

function waitForEndpoints(child: ChildProcess): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const endpoints = new Map<string, string>();
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      for (const match of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/[^\s]+)/g)) {
        endpoints.set(match[1]!, match[2]!.replace(/\/$/, ''));
      }
      if (endpoints.size === services.length) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onExit);
        resolve(endpoints);
      }
    };
    const onExit = (code: number | null): void => {
      const inUse = /EADDRINUSE[^\n]*?(\d+)\b/.exec(output);
      reject(
        new Error(
          inUse
            ? `Azurite could not start: port ${inUse[1]} is already in use (another Azurite running?).`
            : `Azurite exited (code ${code}) before it was ready: ${output.trim().split('\n').slice(-3).join(' ')}`,
        ),
      );
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
