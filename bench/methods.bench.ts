/**
 * Preference (DPO) validation benchmark: throughput and peak memory of `validateDataset` on a DPO
 * corpus against a naive baseline (js-tiktoken `encode` on every message value, the cookbook
 * formula for the input and each output), and against the validator on the supervised corpus the
 * DPO one is derived from — all measured in the same run, each in a fresh child process pinned to
 * one core. Token totals (input once + both outputs) must be identical, or the benchmark fails.
 *
 *   npm run build && node dist/bench/methods.bench.js            # 25 MB supervised corpus
 *   npm run build && node dist/bench/methods.bench.js --mb 100
 *
 * The DPO corpus: each supervised example's messages but the last are the input, its last
 * (assistant) message is the preferred output, and the same message with its words reversed is
 * the non-preferred one — realistic text of a known shape, ~1.3× the supervised bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Tiktoken } from 'js-tiktoken/lite';
import { loadEncoding, ranksOf } from '../src/validation/encodings.js';
import { validateDataset } from '../src/validation/index.js';
import { writeCorpus } from './corpus.js';

type Kind = 'validator-dpo' | 'baseline-dpo' | 'validator-supervised';
interface Measurement {
  kind: Kind;
  bytes: number;
  seconds: number;
  totalTokens: number;
  examples: number;
  maxRssMB: number;
}

const MODEL = 'gpt-4.1-mini-2025-04-14';
type Message = Record<string, string>;

async function measureValidator(file: string, method: 'dpo' | 'supervised'): Promise<Omit<Measurement, 'kind' | 'maxRssMB'>> {
  const start = performance.now();
  const report = await validateDataset({ source: createReadStream(file, { highWaterMark: 1 << 20 }), path: file }, undefined, { model: MODEL, method });
  const seconds = (performance.now() - start) / 1000;
  const training = report.files[0]!;
  if (!report.valid) throw new Error(`corpus unexpectedly invalid: ${JSON.stringify(training.errors.slice(0, 3))}`);
  return { bytes: training.bytes, seconds, totalTokens: training.tokens.total.sum, examples: training.examples };
}

async function measureBaseline(file: string, tiktoken: Tiktoken): Promise<Omit<Measurement, 'kind' | 'maxRssMB'>> {
  const start = performance.now();
  const count = (messages: Message[]): number => {
    let tokens = 0;
    for (const message of messages) {
      tokens += 3;
      for (const [key, value] of Object.entries(message)) {
        tokens += tiktoken.encode(value, [], []).length;
        if (key === 'name') tokens += 1;
      }
    }
    return tokens;
  };
  let totalTokens = 0;
  let examples = 0;
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const x = JSON.parse(line) as { input: { messages: Message[] }; preferred_output: Message[]; non_preferred_output: Message[] };
    totalTokens += 3 + count(x.input.messages) + count(x.preferred_output) + count(x.non_preferred_output);
    examples++;
  }
  return { bytes: statSync(file).size, seconds: (performance.now() - start) / 1000, totalTokens, examples };
}

async function child(kind: Kind, file: string): Promise<void> {
  // Load the tokenizer before the clock starts in every case: it is a fixed start-up cost.
  const result =
    kind === 'baseline-dpo'
      ? await measureBaseline(file, new Tiktoken(ranksOf('o200k_base')))
      : (loadEncoding('o200k_base'), await measureValidator(file, kind === 'validator-dpo' ? 'dpo' : 'supervised'));
  process.stdout.write(JSON.stringify({ kind, ...result, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function runChild(kind: Kind, file: string): Measurement {
  const pin = hasTaskset() ? ['taskset', '-c', '0'] : [];
  const command = [...pin, process.execPath, fileURLToPath(import.meta.url), '--child', kind, file];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${kind} run failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Measurement;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The DPO corpus derived from a supervised one (see the top comment). */
async function writeDpoCorpus(from: string, to: string): Promise<void> {
  const out = createWriteStream(to);
  for await (const line of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const { messages } = JSON.parse(line) as { messages: Message[] };
    const last = messages[messages.length - 1]!;
    const worse = { ...last, content: (last['content'] ?? '').split(' ').reverse().join(' ') };
    if (!out.write(`${JSON.stringify({ input: { messages: messages.slice(0, -1) }, preferred_output: [last], non_preferred_output: [worse] })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') {
    await child(argv[1] as Kind, argv[2]!);
    return 0;
  }
  const mbIndex = argv.indexOf('--mb');
  const mb = mbIndex >= 0 ? Number(argv[mbIndex + 1]) : 25;
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/.data');
  mkdirSync(dir, { recursive: true });
  const supervised = path.join(dir, `corpus-${mb}mb.jsonl`);
  if (!existsSync(supervised) || statSync(supervised).size < mb * 1e6) await writeCorpus(supervised, mb * 1e6);
  const dpo = path.join(dir, `corpus-dpo-from-${mb}mb.jsonl`);
  if (!existsSync(dpo)) await writeDpoCorpus(supervised, dpo);

  const runs = [runChild('validator-dpo', dpo), runChild('baseline-dpo', dpo), runChild('validator-supervised', supervised)];
  console.log(`\nPreference (DPO) validation benchmark (${MODEL}, o200k_base, one core${hasTaskset() ? ' via taskset' : ''}, Node ${process.versions.node})\n`);
  console.log('| run | corpus | examples | tokens | seconds | MB/s | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of runs) {
    console.log(`| ${m.kind} | ${fmt(m.bytes / 1e6, 0)} MB | ${m.examples} | ${m.totalTokens} | ${fmt(m.seconds, 2)} | ${fmt(m.bytes / 1e6 / m.seconds)} | ${fmt(m.maxRssMB, 0)} |`);
  }
  const [validatorDpo, baselineDpo, validatorSupervised] = runs as [Measurement, Measurement, Measurement];
  console.log(`\nthroughput ratio DPO validator / DPO baseline: ${fmt(baselineDpo.seconds / validatorDpo.seconds)}×`);
  console.log(`DPO validator MB/s relative to the supervised validator: ${fmt(validatorDpo.bytes / validatorDpo.seconds / (validatorSupervised.bytes / validatorSupervised.seconds), 2)}`);
  if (validatorDpo.totalTokens !== baselineDpo.totalTokens || validatorDpo.examples !== baselineDpo.examples) {
    console.error(`token totals differ: validator ${validatorDpo.totalTokens} vs baseline ${baselineDpo.totalTokens}`);
    return 1;
  }
  console.log('token totals identical: yes');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
