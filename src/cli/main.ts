#!/usr/bin/env node
/**
 * `ftpipe`: the finetune-pipeline command line. Exit status: 0 success (a valid dataset), 1 an
 * invalid dataset, 2 a usage error or an unreadable file, with one clear line on stderr.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FINE_TUNING_METHODS, isEncodingName, UnknownModelError, type EncodingName } from '../validation/index.js';
import { UsageError } from './usage-error.js';
import { runValidate, type ValidateCommandOptions } from './validate-command.js';

const EXIT_USAGE = 2;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
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
    if (error instanceof UsageError || error instanceof UnknownModelError) {
      process.stderr.write(`ftpipe: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
