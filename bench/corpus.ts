/**
 * A deterministic chat-format corpus for the validator benchmark: system/user/assistant examples
 * (some multi-turn) built from common English words, pseudo-words (names, jargon), numbers,
 * punctuation, and ~5% of lines with non-ASCII text (accents, CJK, emoji) so both the ASCII fast
 * path and the unicode regex path are exercised.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from './seeded-random.js';

const WORDS = (
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all ' +
  'were we when your can said there use an each which she do how their if will up other about out many then them these so some ' +
  'her would make like him into time has look two more write go see number no way could people my than first water been call ' +
  'who oil its now find long down day did get come made may part over new sound take only little work know place year live me ' +
  'back give most very after thing our just name good sentence man think say great where help through much before line right ' +
  'too mean old any same tell boy follow came want show also around form three small set put end does another well large must ' +
  'big even such because turn here why ask went men read need land different home us move try kind hand picture again change ' +
  'off play spell air away animal house point page letter mother answer found study still learn should America world model ' +
  'training data assistant customer order refund invoice account password shipping delivery product warranty support ticket'
).split(' ');
const NON_ASCII = ['café', 'naïve', 'résumé', 'Zürich', 'São Paulo', '東京', 'Привет', '🚀', '✅', '—', '“quoted”', 'Ångström'];
const PUNCT = ['.', ',', '?', '!', ':', ';', ' -', "'s", "n't", '(', ')'];

export async function writeCorpus(path: string, targetBytes: number, seed = 1): Promise<{ bytes: number; examples: number }> {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const pseudoWord = (): string => {
    const syllables = ['ka', 'lo', 'mi', 'tra', 'zen', 'qu', 'ix', 'por', 'vel', 'dun', 'shi', 'ro'];
    let w = '';
    for (let i = 0, n = 2 + Math.floor(rnd() * 3); i < n; i++) w += pick(syllables);
    return rnd() < 0.3 ? w[0]!.toUpperCase() + w.slice(1) : w;
  };
  const sentence = (words: number, unicode: boolean): string => {
    const out: string[] = [];
    for (let i = 0; i < words; i++) {
      const r = rnd();
      let w = r < 0.8 ? pick(WORDS) : r < 0.9 ? pseudoWord() : r < 0.96 ? String(Math.floor(rnd() * 10_000)) : pick(PUNCT);
      if (unicode && rnd() < 0.05) w = pick(NON_ASCII);
      if (i === 0) w = w[0]!.toUpperCase() + w.slice(1);
      out.push(w);
    }
    return out.join(' ') + pick(['.', '?', '!']);
  };
  const paragraph = (sentences: number, unicode: boolean): string =>
    Array.from({ length: sentences }, () => sentence(5 + Math.floor(rnd() * 20), unicode)).join(' ');
  const systems = Array.from({ length: 20 }, () => paragraph(2, false));

  const out = createWriteStream(path);
  let bytes = 0;
  let examples = 0;
  while (bytes < targetBytes) {
    const unicode = rnd() < 0.05;
    const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: pick(systems) }];
    for (let turn = 0, turns = rnd() < 0.2 ? 2 + Math.floor(rnd() * 3) : 1; turn < turns; turn++) {
      messages.push({ role: 'user', content: paragraph(1 + Math.floor(rnd() * 3), unicode) });
      messages.push({ role: 'assistant', content: paragraph(1 + Math.floor(rnd() * 8), unicode) });
    }
    const line = JSON.stringify({ messages }) + '\n';
    bytes += Buffer.byteLength(line);
    examples++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, examples };
}
