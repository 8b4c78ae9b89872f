/**
 * `npm run bench`: ftpipe against its peers, measured in the same run, in fresh child processes
 * run interleaved (ftpipe, peer, peer, ftpipe, …) so machine load hits all alike; each figure is
 * the best of the rounds and the ratios are what the targets are stated in. Token totals must be
 * identical across tokenizers, or the benchmark fails.
 *
 *   1. Token counting, per corpus (prose, code, multilingual, chat) and encoding: MB/s of message
 *      text, ratio to each peer (target ≥ 1.5× the fastest), peak RSS.
 *   2. The whole `ftpipe validate` process against a peer script's whole process
 *      (peer-validate.ts) on a 10-example file and on the big chat corpus (target ≥ 1.5×).
 *   3. Peak RSS of validation on the big corpus and on one 4× smaller (target ≤ 256 MiB).
 *
 *   npm run bench                       # 100 MB chat corpus, 10 MB per counting corpus, 3 rounds
 *   npm run bench -- --mb 200 --count-mb 20 --rounds 5
 *   npm run bench -- --only count       # or: process, memory
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateDataset } from '../src/validation/index.js';
import type { EncodingName } from '../src/validation/models.js';
import { CORPUS_KINDS, writeKindCorpus, type CorpusKind } from './corpora.js';
import { PEERS, TOKENIZERS, type TokenizerName } from './tokenizers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.join(HERE, '../../bench/.data');
const CLI = path.join(HERE, '../src/cli/main.js');
const ENCODINGS: EncodingName[] = ['o200k_base', 'cl100k_base'];
const MODEL_OF: Record<EncodingName, string> = { o200k_base: 'gpt-4o-mini-2024-07-18', cl100k_base: 'gpt-35-turbo-0125' };
const TARGET = 1.5;
const RSS_LIMIT_MB = 256;

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const fmt = (n: number, digits = 1): string => n.toFixed(digits);

function run(command: string[]): { stdout: string; seconds: number } {
  const start = performance.now();
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { stdout: result.stdout, seconds };
}

async function corpus(kind: CorpusKind, mb: number): Promise<string> {
  const file = path.join(DATA, `${kind}-${mb}mb.jsonl`);
  if (!existsSync(file) || statSync(file).size < mb * 1e6) {
    process.stderr.write(`generating ${mb} MB ${kind} corpus at ${file}…\n`);
    await writeKindCorpus(kind, file, mb * 1e6);
  }
  return file;
}

interface CountResult {
  name: TokenizerName;
  bytes: number;
  tokens: number;
  seconds: number;
  maxRssMB: number;
}

let failures = 0;
function fail(message: string): void {
  failures++;
  console.error(`FAILED: ${message}`);
}

async function counting(rounds: number, mb: number): Promise<void> {
  console.log(`\n### Token counting (message text, ${mb} MB per corpus, best of ${rounds} interleaved rounds)\n`);
  console.log('| corpus | encoding | ftpipe MB/s | gpt-tokenizer MB/s | tiktoken MB/s | ftpipe ÷ gpt-tokenizer | ftpipe ÷ tiktoken | ftpipe peak RSS MB | tokens |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const kind of CORPUS_KINDS) {
    const file = await corpus(kind, mb);
    for (const encoding of ENCODINGS) {
      const best = new Map<TokenizerName, CountResult>();
      for (let round = 0; round < rounds; round++) {
        for (const name of TOKENIZERS) {
          const result = JSON.parse(run([process.execPath, path.join(HERE, 'count-child.js'), name, encoding, file]).stdout) as CountResult;
          const previous = best.get(name);
          if (!previous || result.seconds < previous.seconds) best.set(name, result);
        }
      }
      const ours = best.get('ftpipe')!;
      const mbps = (r: CountResult): number => r.bytes / 1e6 / r.seconds;
      const ratios = PEERS.map((peer) => best.get(peer)!.seconds / ours.seconds);
      console.log(
        `| ${kind} | ${encoding} | ${fmt(mbps(ours))} | ${PEERS.map((p) => fmt(mbps(best.get(p)!))).join(' | ')} | ${ratios.map((r) => `${fmt(r, 2)}×`).join(' | ')} | ${fmt(ours.maxRssMB, 0)} | ${ours.tokens} |`,
      );
      for (const peer of PEERS) if (best.get(peer)!.tokens !== ours.tokens) fail(`${kind}/${encoding}: ${peer} counted ${best.get(peer)!.tokens} tokens, ftpipe ${ours.tokens}`);
      if (Math.min(...ratios) < TARGET) fail(`${kind}/${encoding}: ftpipe is ${fmt(Math.min(...ratios), 2)}× the fastest peer (target ≥ ${TARGET}×)`);
    }
  }
}

async function wholeProcess(rounds: number, mb: number): Promise<void> {
  const big = await corpus('chat', mb);
  const small = path.join(DATA, 'chat-10-examples.jsonl');
  writeFileSync(small, readFileSync(big, 'utf8').split('\n').slice(0, 10).join('\n') + '\n');
  console.log(`\n### Whole process: \`ftpipe validate\` vs a peer script (read, parse, count; best of ${rounds} interleaved rounds)\n`);
  console.log('| file | encoding | ftpipe s | gpt-tokenizer s | tiktoken s | gpt-tokenizer ÷ ftpipe | tiktoken ÷ ftpipe |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const [label, file, n] of [['10 examples', small, rounds * 3], [`${mb} MB chat`, big, rounds]] as const) {
    for (const encoding of ENCODINGS) {
      const best = new Map<TokenizerName, number>();
      const totals = new Map<TokenizerName, number>();
      for (let round = 0; round < n; round++) {
        for (const name of TOKENIZERS) {
          const command =
            name === 'ftpipe'
              ? [process.execPath, CLI, 'validate', file, '--model', MODEL_OF[encoding], '--json']
              : [process.execPath, path.join(HERE, 'peer-validate.js'), name, encoding, file];
          const { stdout, seconds } = run(command);
          const parsed = JSON.parse(stdout) as { total?: number; files?: Array<{ tokens: { total: { sum: number } } }> };
          totals.set(name, parsed.total ?? parsed.files![0]!.tokens.total.sum);
          best.set(name, Math.min(seconds, best.get(name) ?? Infinity));
        }
      }
      const ours = best.get('ftpipe')!;
      const ratios = PEERS.map((peer) => best.get(peer)! / ours);
      console.log(`| ${label} | ${encoding} | ${fmt(ours, 2)} | ${PEERS.map((p) => fmt(best.get(p)!, 2)).join(' | ')} | ${ratios.map((r) => `${fmt(r, 2)}×`).join(' | ')} |`);
      for (const peer of PEERS) if (totals.get(peer) !== totals.get('ftpipe')) fail(`${label}/${encoding}: ${peer} total ${totals.get(peer)} ≠ ftpipe ${totals.get('ftpipe')}`);
      if (Math.min(...ratios) < TARGET) fail(`${label}/${encoding}: whole process is ${fmt(Math.min(...ratios), 2)}× the fastest peer's (target ≥ ${TARGET}×)`);
    }
  }
}

async function memoryChild(file: string): Promise<void> {
  const start = performance.now();
  const report = await validateDataset({ source: createReadStream(file, { highWaterMark: 1 << 20 }), path: file, size: statSync(file).size }, undefined, { model: MODEL_OF.o200k_base });
  const seconds = (performance.now() - start) / 1000;
  const training = report.files[0]!;
  process.stdout.write(JSON.stringify({ bytes: training.bytes, examples: training.examples, seconds, valid: report.valid, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function memory(mb: number): Promise<void> {
  console.log('\n### Validation memory (whole `validateDataset`, o200k_base)\n');
  console.log('| corpus | examples | seconds | MB/s | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|');
  for (const size of [Math.max(1, Math.round(mb / 4)), mb]) {
    const file = await corpus('chat', size);
    const m = JSON.parse(run([process.execPath, fileURLToPath(import.meta.url), '--memory-child', file]).stdout) as { bytes: number; examples: number; seconds: number; maxRssMB: number };
    console.log(`| ${size} MB chat | ${m.examples} | ${fmt(m.seconds, 2)} | ${fmt(m.bytes / 1e6 / m.seconds)} | ${fmt(m.maxRssMB, 0)} |`);
    if (m.maxRssMB > RSS_LIMIT_MB) fail(`validating ${size} MB peaked at ${fmt(m.maxRssMB, 0)} MB RSS (limit ${RSS_LIMIT_MB} MiB)`);
  }
}

async function main(): Promise<number> {
  if (process.argv[2] === '--memory-child') {
    await memoryChild(process.argv[3]!);
    return 0;
  }
  mkdirSync(DATA, { recursive: true });
  const rounds = Number(arg('rounds', '3'));
  const mb = Number(arg('mb', '100'));
  const only = arg('only', 'all');
  console.log(`ftpipe benchmark — Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}; ratios are peer time ÷ ftpipe time (target ≥ ${TARGET}×)`);
  if (only === 'all' || only === 'count') await counting(rounds, Number(arg('count-mb', '10')));
  if (only === 'all' || only === 'process') await wholeProcess(rounds, mb);
  if (only === 'all' || only === 'memory') await memory(mb);
  console.log(failures === 0 ? '\nall targets met; token totals identical' : `\n${failures} target(s) not met`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
