/**
 * Build step (`npm run build`): writes each encoding's precomputed vocabulary table to
 * dist/vocab/<name>.bin from js-tiktoken's rank data, so `ftpipe validate` and the function app
 * load the vocabulary with one file read instead of decoding and hashing 200,000 tokens at start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildVocabTable, vocabTablePath } from './encodings.js';
import type { EncodingName } from './models.js';

for (const name of ['o200k_base', 'cl100k_base'] as EncodingName[]) {
  const file = vocabTablePath(name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, buildVocabTable(name).image);
}
