#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import path from 'node:path';
import { startHost } from './index.js';
import { applySettings, readLocalSettings } from './local-settings.js';

/**
 * `node dist/dev/host/main.js [--app <dir|entry>] [--port <n>]`: the local host on its own, like
 * `func start --no-build` for an already-built app (Azurite must already run). `npm start` wraps it.
 */
const program = new Command()
  .name('dev-host')
  .description('Run an Azure Functions (Node v4 model) app locally: HTTP, blob, queue, timer triggers and Durable orchestrations.')
  .option('--app <path>', 'project directory (package.json main) or entry module', '.')
  .option('--port <number>', 'HTTP port on 127.0.0.1 (default: Host.LocalHttpPort or 7071)', (value) => {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number');
    return port;
  })
  .option('--blob-poll-ms <ms>', 'blob trigger scan interval', Number)
  .option('--queue-poll-ms <ms>', 'queue trigger poll interval', Number);

async function main(): Promise<void> {
  const options = program.parse().opts<{ app: string; port?: number; blobPollMs?: number; queuePollMs?: number }>();
  const projectDir = path.resolve(options.app.endsWith('.js') || options.app.endsWith('.mjs') ? path.dirname(options.app) : options.app);
  const settings = readLocalSettings(projectDir);
  if (settings) applySettings(settings.values);
  const host = await startHost({
    app: options.app,
    port: options.port ?? settings?.port ?? 7071,
    keys: settings?.keys ?? {},
    ...(options.blobPollMs ? { blobPollIntervalMs: options.blobPollMs } : {}),
    ...(options.queuePollMs ? { queuePollIntervalMs: options.queuePollMs } : {}),
  });
  const shutdown = (): void => {
    void host.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`dev/host: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
});
