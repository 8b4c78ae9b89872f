/**
 * Validator benchmark: throughput and peak memory of `validateDataset` against a naive baseline
 * (js-tiktoken `encode` on every message value, the cookbook's formula — what the lab notebooks
 * do), measured in the same run on the same generated corpus, each in a fresh child process
 * pinned to one core. Token totals must be identical, or the benchmark fails.
 *
 *   npm run bench                 # 100 MB corpus (and a 25 MB one, to show memory does not grow)
 *   npm run bench -- --mb 200
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Tiktoken } from 'js-tiktoken/lite';
import { loadEncoding, ranksOf } from '../src/validation/encodings.js';
import { validateDataset } from '../src/validation/index.js';
import { writeCorpus } from './corpus.js';

interface Measurement {
  kind: 'validator' | 'baseline';
  bytes: number;
  seconds: number;
  totalTokens: number;
  examples: number;
  maxRssMB: number;
}

const MODEL = 'gpt-4o-mini-2024-07-18';

async function measureValidator(file: string): Promise<Omit<Measurement, 'kind' | 'maxRssMB'>> {
  const start = performance.now();
  const report = await validateDataset({ source: createReadStream(file, { highWaterMark: 1 << 20 }), path: file }, undefined, { model: MODEL });
  const seconds = (performance.now() - start) / 1000;
  const training = report.files[0]!;
  if (!report.valid) throw new Error(`corpus unexpectedly invalid: ${JSON.stringify(training.errors.slice(0, 3))}`);
  return { bytes: training.bytes, seconds, totalTokens: training.tokens.total.sum, examples: training.examples };
}

async function measureBaseline(file: string, tiktoken: Tiktoken): Promise<Omit<Measurement, 'kind' | 'maxRssMB'>> {
  const start = performance.now();
  let totalTokens = 0;
  let examples = 0;
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const { messages } = JSON.parse(line) as { messages: Array<Record<string, string>> };
    let tokens = 3;
    for (const message of messages) {
      tokens += 3;
      for (const [key, value] of Object.entries(message)) {
        tokens += tiktoken.encode(value, [], []).length;
        if (key === 'name') tokens += 1;
      }
    }
    totalTokens += tokens;
    examples++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { bytes: statSync(file).size, seconds, totalTokens, examples };
}

async function child(kind: 'validator' | 'baseline', file: string): Promise<void> {
  // Load the tokenizer before the clock starts in both cases: it is a fixed start-up cost.
  const result =
    kind === 'validator'
      ? (loadEncoding('o200k_base'), await measureValidator(file))
      : await measureBaseline(file, new Tiktoken(ranksOf('o200k_base')));
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ kind, ...result, maxRssMB }) + '\n');
}

function runChild(kind: 'validator' | 'baseline', file: string): Measurement {
  const self = fileURLToPath(import.meta.url);
  // One core, as the target says; taskset is in util-linux on most Linux machines.
  const pin = hasTaskset() ? ['taskset', '-c', '0'] : [];
  const command = [...pin, process.execPath, self, '--child', kind, file];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${kind} run failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Measurement;
}

let tasksetAvailable: boolean | undefined;
function hasTaskset(): boolean {
  if (tasksetAvailable === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      tasksetAvailable = true;
    } catch {
      tasksetAvailable = false;
    }
  }
  return tasksetAvailable;
}

async function ensureCorpus(dir: string, mb: number): Promise<string> {
  const file = path.join(dir, `corpus-${mb}mb.jsonl`);
  if (!existsSync(file) || statSync(file).size < mb * 1e6) {
    process.stderr.write(`generating ${mb} MB corpus at ${file}…\n`);
    await writeCorpus(file, mb * 1e6);
  }
  return file;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') {
    await child(argv[1] as 'validator' | 'baseline', argv[2]!);
    return 0;
  }
  const mbIndex = argv.indexOf('--mb');
  const mb = mbIndex >= 0 ? Number(argv[mbIndex + 1]) : 100;
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/.data');
  mkdirSync(dir, { recursive: true });
  const big = await ensureCorpus(dir, mb);
  const small = await ensureCorpus(dir, Math.max(1, Math.round(mb / 4)));

  const validatorBig = runChild('validator', big);
  const baselineBig = runChild('baseline', big);
  const validatorSmall = runChild('validator', small);

  const rows = [
    ['validator', big, validatorBig],
    ['baseline', big, baselineBig],
    ['validator', small, validatorSmall],
  ] as const;
  console.log(`\nValidator benchmark (${MODEL}, o200k_base, one core${hasTaskset() ? ' via taskset' : ''}, Node ${process.versions.node})\n`);
  console.log('| run | corpus | examples | tokens | seconds | MB/s | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, file, m] of rows) {
    console.log(`| ${name} | ${fmt(m.bytes / 1e6, 0)} MB | ${m.examples} | ${m.totalTokens} | ${fmt(m.seconds, 2)} | ${fmt(m.bytes / 1e6 / m.seconds)} | ${fmt(m.maxRssMB, 0)} |`);
    void file;
  }
  const speedup = baselineBig.seconds / validatorBig.seconds;
  console.log(`\nthroughput ratio validator/baseline: ${fmt(speedup)}× (target ≥ 8×)`);
  console.log(`peak RSS: ${fmt(validatorBig.maxRssMB, 0)} MB on ${fmt(validatorBig.bytes / 1e6, 0)} MB vs ${fmt(validatorSmall.maxRssMB, 0)} MB on ${fmt(validatorSmall.bytes / 1e6, 0)} MB (target < 300 MB)`);

  if (validatorBig.totalTokens !== baselineBig.totalTokens || validatorBig.examples !== baselineBig.examples) {
    console.error(`token totals differ: validator ${validatorBig.totalTokens} vs baseline ${baselineBig.totalTokens}`);
    return 1;
  }
  console.log('token totals identical: yes');
  const met = speedup >= 8 && validatorBig.maxRssMB < 300;
  console.log(met ? 'targets met' : 'TARGETS NOT MET');
  return met ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
