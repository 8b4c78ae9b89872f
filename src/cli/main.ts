#!/usr/bin/env node
/**
 * `ftpipe`: the finetune-pipeline command line. Exit status: 0 success (a valid dataset, a run that
 * succeeded), 1 an invalid dataset or a rejected run, 2 a usage error, an unreadable file or an
 * app that answered with an error, 3 failed, 4 cancelled, 5 not promoted, 6 still running when
 * `--timeout` ran out, 7 a promote or rollback the app refused as the alias stands (nothing to roll
 * back, already current, no live deployment of that run) — with one clear line on stderr.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import OpenAI from 'openai';
import { AppError, DEFAULT_KEY_ENV } from './app-client.js';
import { chatCommand } from './chat-command.js';
import { aliasesCommand, promoteCommand, rollbackCommand } from './alias-commands.js';
import { cancelCommand, dropCommand, retryCommand, runCommand, runsCommand, watchCommand } from './run-commands.js';
import { FINE_TUNING_METHODS, isEncodingName, UnknownModelError, type EncodingName } from '../validation/index.js';
import { UsageError } from './usage-error.js';
import { runValidate, type ValidateCommandOptions } from './validate-command.js';

const EXIT_USAGE = 2;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** The options every command that talks to the app takes (after the command name, where people type them). */
function remote(command: Command): Command {
  return command
    .option('--app <url>', 'the app: its URL, e.g. https://<app>.azurewebsites.net (default: $FTPIPE_APP_URL, else npm start\'s http://127.0.0.1:7071)')
    .option('--key-env <name>', `environment variable holding the app's function key (needed in Azure)`, DEFAULT_KEY_ENV)
    .exitOverride();
}

function watching(command: Command): Command {
  return command
    .option('--interval <seconds>', 'seconds between status checks', positiveNumber, 2)
    .option('--timeout <seconds>', 'stop watching after this long (exit 6; the run goes on)', positiveNumber);
}

function encoding(value: string): EncodingName {
  if (!isEncodingName(value)) throw new InvalidArgumentError('expected cl100k_base or o200k_base');
  return value;
}

export function buildProgram(): Command {
  const program = new Command('ftpipe')
    .description('finetune-pipeline: validate, fine-tune and deploy Azure OpenAI models from JSONL datasets')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.startsWith('error:') ? `ftpipe: ${text}` : text) });

  program
    .command('validate')
    .description('check a JSONL training file (and validation file) for a fine-tuning method and count its tokens')
    .argument('<training>', 'training file (.jsonl)')
    .option('--validation <file>', 'validation file (.jsonl); also checked for overlap with the training file')
    .addOption(new Option('--method <type>', 'fine-tuning method (default: detected from the data, and said so)').choices(FINE_TUNING_METHODS))
    .option('--grader <file>', 'grader of a reinforcement run (<name>.grader.json); checked, and its item fields required on every line')
    .option('--model <base-model>', 'base model to fine-tune (sets the tokenizer and token limit)', process.env['FT_BASE_MODEL'])
    .addOption(new Option('--encoding <name>', 'tokenizer, for a model this tool does not know').argParser(encoding))
    .option('--max-example-tokens <n>', 'token limit per example, for a model this tool does not know', positiveInteger)
    .option('--epochs <n>', 'epochs you will train for (default: the service default for this dataset size)', positiveInteger)
    .option('--max-errors <n>', 'list at most this many errors (and warnings) per file', positiveInteger, 100)
    .option('--json', 'print the report as one JSON document')
    .exitOverride()
    .action(async (training: string, options: ValidateCommandOptions) => {
      process.exitCode = await runValidate(training, options);
    });

  remote(
    watching(
      program
        .command('drop')
        .description('upload a dataset through the app (no storage credentials needed) and start a run')
        .argument('<training>', 'training file (.jsonl); its name without .jsonl is the dataset name')
        .option('--validation <file>', 'validation file (.jsonl)')
        .option('--eval <file>', 'evaluation file (.jsonl): held-out prompts with reference answers')
        .option('--options <file>', 'run options (.json); checked here before anything is uploaded')
        .option('--name <dataset>', 'dataset name (the alias), instead of the file name')
        .option('--watch', 'follow the run until it ends; the exit status says how it ended')
        .option('--json', 'with --watch: print the final run record as JSON'),
    ),
  ).action(async (training: string, options) => {
    process.exitCode = await dropCommand(training, options);
  });
  remote(program.command('runs').description('list runs, newest first').option('--dataset <name>', 'only runs of this dataset').option('--json', 'print JSON')).action(
    async (options) => {
      process.exitCode = await runsCommand(options);
    },
  );
  remote(program.command('run').description("a run's status, timeline, validation findings, job and deployment").argument('<runId>').option('--json', 'print JSON')).action(
    async (runId: string, options) => {
      process.exitCode = await runCommand(runId, options);
    },
  );
  remote(
    watching(program.command('watch').description('follow a run until it ends (exit status: 0 succeeded, 1 rejected, 3 failed, 4 cancelled, 5 not promoted)'))
      .argument('<runId>')
      .option('--json', 'print the final run record as JSON'),
  ).action(async (runId: string, options) => {
    process.exitCode = await watchCommand(runId, options);
  });
  remote(program.command('cancel').description('cancel a running run (its fine-tuning job too)').argument('<runId>')).action(async (runId: string, options) => {
    process.exitCode = await cancelCommand(runId, options);
  });
  remote(
    watching(program.command('retry').description('start a failed or cancelled run again from its snapshots (a new attempt of the same run)'))
      .argument('<runId>')
      .option('--watch', 'follow the new attempt until it ends'),
  ).action(async (runId: string, options) => {
    process.exitCode = await retryCommand(runId, options);
  });
  remote(program.command('chat').description('chat with a fine-tuned model by alias or deployment name, streaming').argument('<alias>'))
    .option('--system <message>', 'a system message for the conversation')
    .option('--max-tokens <n>', 'longest answer, in tokens', positiveInteger)
    .action(async (alias: string, options) => {
      process.exitCode = await chatCommand(alias, options);
    });
  remote(program.command('aliases').description('the aliases the chat endpoint answers to, and what is behind them').option('--json', 'print JSON')).action(async (options) => {
    process.exitCode = await aliasesCommand(options);
  });
  remote(
    program
      .command('promote')
      .description("point an alias at a run's deployment (blue/green; the old one stays for rollback). Exit 7: refused, e.g. already current")
      .argument('<alias>')
      .requiredOption('--run <runId>', 'the run whose deployment the alias should serve (a succeeded or not_promoted run that kept it)')
      .option('--json', 'print the alias record as JSON'),
  ).action(async (alias: string, options) => {
    process.exitCode = await promoteCommand(alias, options);
  });
  remote(
    program
      .command('rollback')
      .description('switch an alias back to its previous deployment (run it again to undo). Exit 7: refused, e.g. nothing to roll back')
      .argument('<alias>')
      .option('--json', 'print the alias record as JSON'),
  ).action(async (alias: string, options) => {
    process.exitCode = await rollbackCommand(alias, options);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    process.stderr.write(`ftpipe: needs Node.js 22 or later (this is ${process.versions.node})\n`);
    return EXIT_USAGE;
  }
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; anything else commander already explained on stderr.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof UnknownModelError || error instanceof AppError) {
      process.stderr.write(`ftpipe: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof OpenAI.APIError) {
      process.stderr.write(`ftpipe: ${error.status ?? ''} ${error.message}\n`.replace(/^ftpipe:  /, 'ftpipe: '));
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
