#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from './aoai-emulator/index.js';
import { startAzurite, type RunningAzurite } from './azurite.js';
import { startHost, type RunningHost } from './host/index.js';
import { consoleLoggerAt, parseHostLogLevel } from './host/logger.js';
import { createAppStorage, readyLines } from './first-run.js';
import { resolveEntry } from './host/load-app.js';
import { applySettings, readLocalSettings } from './host/local-settings.js';

/**
 * `npm start`: Azurite (data in .azurite/), the Azure OpenAI emulator (unless AZURE_OPENAI_ENDPOINT
 * is set) and the local Functions host on :7071, with local.settings.json applied like `func start`.
 */

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const portOption = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number');
  return port;
};

interface StartOptions {
  port?: number;
  blobPort: number;
  queuePort: number;
  tablePort: number;
  azuriteLocation: string;
  emulatorPort: number;
}

interface Stoppable {
  stop(): Promise<void>;
}

/** Errors we expect (ports, build, settings) are reported as one line; anything else keeps its stack. */
class StartError extends Error {}

/**
 * Starts the Azure OpenAI + ARM emulator and points the app at it: the data plane and Resource
 * Manager endpoints, and the emulator's API key (a laptop has no Azure login for
 * DefaultAzureCredential). Settings the user set explicitly are left alone.
 */
async function startAoaiEmulator(port: number, stateDir: string): Promise<Stoppable & { url: string }> {
  let emulator: RunningEmulator;
  try {
    // Its files, jobs and deployments live beside Azurite's data, so the whole local stack survives a restart.
    emulator = await startEmulator({ port, stateDir });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new StartError(
      e.code === 'EADDRINUSE' ? `Port ${port} for the Azure OpenAI emulator is already in use (choose another with --emulator-port).` : e.message,
    );
  }
  process.env['AZURE_OPENAI_ENDPOINT'] = emulator.url;
  if (!process.env['ARM_ENDPOINT']) process.env['ARM_ENDPOINT'] = emulator.url;
  if (!process.env['AZURE_OPENAI_API_KEY']) process.env['AZURE_OPENAI_API_KEY'] = emulator.apiKey;
  return { url: emulator.url, stop: () => emulator.close() };
}

/** Azurite's default-port connection string stands for "the Azurite we start", wherever it listens. */
function usesLocalStorage(value: string | undefined): boolean {
  return value === undefined || /^UseDevelopmentStorage=true;?$/i.test(value.trim()) || /127\.0\.0\.1|localhost/.test(value);
}

async function main(): Promise<void> {
  const options = new Command()
    .name('npm start')
    .description('Run the app locally: Azurite, the Azure OpenAI emulator and the Functions host.')
    .option('--port <number>', 'host HTTP port (default: Host.LocalHttpPort in local.settings.json, else 7071)', portOption)
    .option('--blob-port <number>', 'Azurite blob port', portOption, 10000)
    .option('--queue-port <number>', 'Azurite queue port', portOption, 10001)
    .option('--table-port <number>', 'Azurite table port', portOption, 10002)
    .option('--azurite-location <dir>', 'where Azurite keeps its data', path.join(projectRoot, '.azurite'))
    .option('--emulator-port <number>', 'Azure OpenAI emulator port', portOption, 7072)
    .parse()
    .opts<StartOptions>();

  let entry: string;
  try {
    entry = resolveEntry(projectRoot);
  } catch (error) {
    throw new StartError((error as Error).message);
  }
  if (!existsSync(entry)) throw new StartError(`The app is not built (${path.relative(projectRoot, entry)} is missing): run \`npm run build\`.`);

  let settings;
  try {
    settings = readLocalSettings(projectRoot);
  } catch (error) {
    throw new StartError((error as Error).message);
  }
  if (!settings) console.log('Note: no local.settings.json or local.settings.sample.json; using defaults (storage = Azurite).');
  else if (settings.usedSample) console.log('Note: no local.settings.json yet, using local.settings.sample.json (copy it to local.settings.json to change settings).');
  if (settings) applySettings(settings.values);
  subscribeDropZone(process.env);

  const running: Stoppable[] = [];
  const stopAll = async (): Promise<void> => {
    for (const item of running.reverse()) await item.stop().catch(() => undefined);
  };
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) {
      // A second Ctrl-C does not wait for running functions to finish.
      process.exit(130);
    }
    stopping = true;
    console.log('\nStopping... (Ctrl-C again to quit at once)');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The terminal closing: stop the stack as for Ctrl-C (Azurite also ends with this process).
  process.on('SIGHUP', onSignal);

  try {
    if (usesLocalStorage(process.env['AzureWebJobsStorage'])) {
      mkdirSync(options.azuriteLocation, { recursive: true });
      let azurite: RunningAzurite;
      try {
        azurite = await startAzurite({
          location: options.azuriteLocation,
          blobPort: options.blobPort,
          queuePort: options.queuePort,
          tablePort: options.tablePort,
        });
      } catch (error) {
        throw new StartError((error as Error).message);
      }
      running.push(azurite);
      process.env['AzureWebJobsStorage'] = azurite.connectionString;
      console.log(`Azurite: blob ${azurite.blobEndpoint}, queue ${azurite.queueEndpoint}, table ${azurite.tableEndpoint} (data in ${path.relative(projectRoot, options.azuriteLocation) || '.'})`);
    }
    // The drop zone, runs container and events queue exist before anyone drops a file (az CLI and
    // Storage Explorer uploads fail with ContainerNotFound otherwise).
    await createAppStorage(process.env['AzureWebJobsStorage'] ?? '', process.env).catch((error: unknown) => {
      throw new StartError(`Could not create the containers and the queue: ${(error as Error).message}`);
    });

    if (process.env['AZURE_OPENAI_ENDPOINT']) {
      console.log(`Azure OpenAI: ${process.env['AZURE_OPENAI_ENDPOINT']} (AZURE_OPENAI_ENDPOINT is set; the emulator is not started)`);
    } else {
      const stateDir = path.join(options.azuriteLocation, 'aoai-emulator');
      const emulator = await startAoaiEmulator(options.emulatorPort, stateDir);
      running.push(emulator);
      console.log(`Azure OpenAI + Resource Manager emulator: ${emulator.url} (state in ${path.relative(projectRoot, stateDir) || '.'})`);
    }

    let host: RunningHost;
    try {
      const logger = consoleLoggerAt(parseHostLogLevel(process.env['LOCAL_LOG_LEVEL']));
      host = await startHost({ app: projectRoot, port: options.port ?? settings?.port ?? 7071, keys: settings?.keys ?? {}, logger });
    } catch (error) {
      throw new StartError((error as Error).message);
    }
    running.push(host);
    console.log('');
    for (const line of readyLines({ hostUrl: host.url, connectionString: process.env['AzureWebJobsStorage'] ?? '', env: process.env })) console.log(line);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof StartError ? error.message : ((error as Error)?.stack ?? String(error))}`);
  process.exit(1);
});

/**
 * The drop zone's Event Grid subscription, locally. In Azure the postdeploy hook subscribes the
 * app's `datasetDropped` Event Grid trigger to BlobCreated events of the drop-zone container;
 * Azurite emits no events, so dev/host plays Event Grid for the subscriptions in
 * DEV_HOST_EVENTGRID_SUBSCRIPTIONS. Unless the user set that themselves, `npm start` makes the
 * same subscription the hook makes, so drops start runs with no extra configuration.
 */
export function subscribeDropZone(env: NodeJS.ProcessEnv): void {
  if (env['DEV_HOST_EVENTGRID_SUBSCRIPTIONS']?.trim()) return;
  env['DEV_HOST_EVENTGRID_SUBSCRIPTIONS'] = `datasetDropped=${env['DATASETS_CONTAINER']?.trim() || 'datasets'}`;
}
