/**
 * The peer's whole process for the `ftpipe validate` comparison: the script a user would write
 * with a peer tokenizer — read the JSONL file line by line, parse each line, count its tokens by
 * the cookbook's formula, print the total. No format checks, no report: a lower bound on the work.
 *
 *   node dist/bench/peer-validate.js <gpt-tokenizer|tiktoken> <o200k_base|cl100k_base> <file>
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EncodingName } from '../src/validation/models.js';
import { countExample, loadTokenizer, type TokenizerName } from './tokenizers.js';

const [name, encoding, file] = process.argv.slice(2) as [TokenizerName, EncodingName, string];
const count = await loadTokenizer(name, encoding);
let total = 0;
let examples = 0;
for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  total += countExample(JSON.parse(line) as { messages?: unknown }, count);
  examples++;
}
process.stdout.write(JSON.stringify({ examples, total }) + '\n');
