#!/usr/bin/env node
/**
 * `npm run emulator -- --port <n> [--api-key <key>] [--job-seconds <s>] [--deploy-seconds <s>]`:
 * runs the Azure OpenAI + ARM emulator until Ctrl-C or SIGTERM.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DEFAULT_API_KEY, DEFAULT_CONFIG, startEmulator, type RunningEmulator } from './index.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds >= 0');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

interface CliOptions {
  port: number;
  host: string;
  apiKey: string;
  jobSeconds: number;
  deploySeconds: number;
  fileProcessingSeconds: number;
  seed?: number;
  stateDir?: string;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('aoai-emulator')
    .description('Azure OpenAI (files, fine-tuning, chat) and ARM deployments emulator for local development')
    .requiredOption('--port <n>', 'port to listen on (0 picks a free port)', port)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--api-key <key>', 'api-key the data plane accepts (any bearer token is accepted too)', DEFAULT_API_KEY)
    .option('--job-seconds <s>', 'how long a fine-tuning job takes', seconds, DEFAULT_CONFIG.jobSeconds)
    .option('--deploy-seconds <s>', 'how long a deployment takes to provision', seconds, DEFAULT_CONFIG.deploySeconds)
    .option('--file-processing-seconds <s>', 'how long an uploaded file stays pending', seconds, DEFAULT_CONFIG.fileProcessingSeconds)
    .option('--seed <n>', 'seed for ids, learning curves and fault draws', integer)
    .option('--state-dir <path>', 'keep files, jobs and deployments in this directory across restarts')
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<CliOptions>();
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      port: options.port,
      host: options.host,
      apiKey: options.apiKey,
      jobSeconds: options.jobSeconds,
      deploySeconds: options.deploySeconds,
      fileProcessingSeconds: options.fileProcessingSeconds,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    });
  } catch (error) {
    process.stderr.write(`aoai-emulator: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`listening on ${emulator.url}\n`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emulator.close();
  process.stdout.write('aoai-emulator stopped\n');
  return 0;
}

process.exitCode = await main(process.argv);
