/**
 * One counting measurement, in its own process: every message string of a corpus is loaded and
 * parsed first (not timed), then counted by one tokenizer, timed. Prints one JSON line.
 *
 *   node dist/bench/count-child.js <tokenizer> <encoding> <file>
 */
import { readFileSync } from 'node:fs';
import type { EncodingName } from '../src/validation/models.js';
import { loadTokenizer, type TokenizerName } from './tokenizers.js';

const [name, encoding, file] = process.argv.slice(2) as [TokenizerName, EncodingName, string];
const texts: string[] = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  for (const message of (JSON.parse(line) as { messages: Array<{ content: string }> }).messages) texts.push(message.content);
}
const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);

// Warm the JIT on a slice of the corpus with a throwaway instance, so no tokenizer starts with
// cached pieces from the timed texts (gpt-tokenizer's module-level cache does keep them: its edge).
const warm = await loadTokenizer(name, encoding);
for (let i = 0; i < texts.length; i += 50) warm(texts[i]!);
const count = await loadTokenizer(name, encoding);

// CPU time, not wall time: counting is single-threaded, and on a shared machine the CPU time a
// process was given is far steadier than the wall clock. Both are reported.
const wallStart = performance.now();
const cpuStart = process.cpuUsage();
let tokens = 0;
for (const text of texts) tokens += count(text);
const cpu = process.cpuUsage(cpuStart);
const seconds = (cpu.user + cpu.system) / 1e6;
const wallSeconds = (performance.now() - wallStart) / 1000;
process.stdout.write(JSON.stringify({ name, encoding, bytes, tokens, seconds, wallSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
