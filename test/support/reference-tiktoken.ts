import { Tiktoken } from 'js-tiktoken/lite';
import { ranksOf } from '../../src/validation/encodings.js';
import type { EncodingName } from '../../src/validation/models.js';

const cache = new Map<EncodingName, Tiktoken>();

/** js-tiktoken's own encoder: the reference every count is compared with. */
export function referenceTiktoken(name: EncodingName): Tiktoken {
  let t = cache.get(name);
  if (!t) cache.set(name, (t = new Tiktoken(ranksOf(name))));
  return t;
}

/** Plain token count: special-token look-alikes are ordinary text. */
export function plainCount(name: EncodingName, text: string): number {
  return referenceTiktoken(name).encode(text, [], []).length;
}
