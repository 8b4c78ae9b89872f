/**
 * Deterministic chat-format corpora for the benchmarks, one per kind of text the tokenizer must be
 * fast on. All are generated (nothing to download, nothing licensed to ship): English prose from
 * common words; source code in a few languages' shapes; multilingual text in CJK (Chinese,
 * Japanese), Korean, Cyrillic, Greek, Arabic, Hindi and Thai with emoji; and `chat`, the original
 * validator corpus (corpus.ts: English with ~5 % non-ASCII lines and repeated system prompts).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { writeCorpus } from './corpus.js';
import { seededRandom } from './seeded-random.js';

export const CORPUS_KINDS = ['prose', 'code', 'multilingual', 'chat'] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

type Rnd = () => number;
const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const words = (s: string): string[] => s.split(' ');

const ENGLISH = words(
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all ' +
    'were we when your can said there use an each which she do how their if will up other about out many then them these so some ' +
    'her would make like him into time has look two more write go see number no way could people my than first water been call ' +
    'who its now find long down day did get come made may part over new sound take only little work know place year live me ' +
    'back give most very after thing our just name good sentence man think say great where help through much before line right ' +
    'too mean old any same tell boy follow came want show also around form three small set put end does another well large must ' +
    'big even such because turn here why ask went men read need land different home us move try kind hand picture again change ' +
    'off play spell air away animal house point page letter mother answer found study still learn should world model customer ' +
    'government development information performance relationship environment understanding responsibility particularly ' +
    'significant approximately organization experience requirements temperature independent opportunity neighbourhood',
);

/** Each language's words and its sentence punctuation (CJK and Thai are written without spaces). */
const LANGUAGES: Array<{ words: string[]; space: string; stop: string; comma: string }> = [
  { words: words('我们 今天 天气 非常 好 学习 中文 很 有意思 这个 问题 需要 时间 解决 经济 发展 社会 文化 历史 城市 朋友 工作 电脑 手机 医生 学校 老师 学生 图书馆'), space: '', stop: '。', comma: '，' },
  { words: words('私 は 東京 に 住んで います 今日 天気 が とても いい です ね 日本語 を 勉強 して コンピューター プログラム データ 会社 電車 駅 ありがとう ございます'), space: '', stop: '。', comma: '、' },
  { words: words('안녕하세요 저는 한국어 를 공부 합니다 오늘 날씨 가 좋습니다 컴퓨터 프로그램 데이터 회사 학교 친구 감사합니다 서울 대한민국'), space: ' ', stop: '.', comma: ',' },
  { words: words('Привет как дела сегодня хорошая погода я изучаю русский язык это очень интересно компьютер программа данные Москва университет правительство экономика развитие'), space: ' ', stop: '.', comma: ',' },
  { words: words('Γειά σου κόσμε σήμερα ο καιρός είναι πολύ καλός μαθαίνω ελληνικά υπολογιστής πρόγραμμα δεδομένα Αθήνα πανεπιστήμιο κυβέρνηση οικονομία ανάπτυξη'), space: ' ', stop: '.', comma: ',' },
  { words: words('مرحبا بالعالم اليوم الطقس جميل جدا أنا أتعلم اللغة العربية الحاسوب البرنامج البيانات القاهرة الجامعة الحكومة الاقتصاد التنمية شكرا'), space: ' ', stop: '.', comma: '،' },
  { words: words('नमस्ते दुनिया आज मौसम बहुत अच्छा है मैं हिंदी सीख रहा हूँ कंप्यूटर प्रोग्राम डेटा दिल्ली विश्वविद्यालय सरकार अर्थव्यवस्था विकास धन्यवाद'), space: ' ', stop: '।', comma: ',' },
  { words: words('สวัสดี ครับ วันนี้ อากาศ ดี มาก ผม กำลัง เรียน ภาษาไทย คอมพิวเตอร์ โปรแกรม ข้อมูล กรุงเทพ มหาวิทยาลัย ขอบคุณ'), space: '', stop: ' ', comma: ' ' },
];
const EMOJI = ['🚀', '✅', '😀', '👍🏽', '❤️', '🎉', '👨‍👩‍👧', '🇯🇵', '🤖', '📈'];

function prose(rnd: Rnd, sentences: number): string {
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const n = 6 + Math.floor(rnd() * 18);
    const w: string[] = [];
    for (let i = 0; i < n; i++) {
      let word = rnd() < 0.04 ? String(Math.floor(rnd() * 2000)) : pick(rnd, ENGLISH);
      if (i === 0) word = word[0]!.toUpperCase() + word.slice(1);
      if (i > 2 && i < n - 1 && rnd() < 0.08) word += ',';
      w.push(word);
    }
    if (rnd() < 0.1) w.splice(1 + Math.floor(rnd() * (n - 1)), 0, pick(rnd, ["isn't", "don't", "it's", "we'll", "they're"]));
    out.push(w.join(' ') + pick(rnd, ['.', '.', '.', '?', '!']));
  }
  return out.join(rnd() < 0.2 ? '\n\n' : ' ');
}

function multilingual(rnd: Rnd, sentences: number): string {
  const out: string[] = [];
  const lang = pick(rnd, LANGUAGES);
  for (let s = 0; s < sentences; s++) {
    const n = 5 + Math.floor(rnd() * 14);
    let sentence = '';
    for (let i = 0; i < n; i++) {
      if (i > 0) sentence += i > 3 && rnd() < 0.1 ? lang.comma + lang.space : lang.space;
      const r = rnd();
      sentence += r < 0.04 ? String(Math.floor(rnd() * 1000)) : r < 0.07 ? pick(rnd, EMOJI) : pick(rnd, lang.words);
    }
    out.push(sentence + lang.stop);
  }
  return out.join(lang.space);
}

const IDENTS = words('value result items index count user config request response buffer data error options handler callback node parent child size offset total name path status');
const TYPES = words('string number boolean Promise Array Map Record int float str bool List Dict Optional');

function code(rnd: Rnd, lines: number): string {
  const id = (): string => {
    const a = pick(rnd, IDENTS);
    return rnd() < 0.4 ? a + pick(rnd, IDENTS)[0]!.toUpperCase() + pick(rnd, IDENTS).slice(1) : rnd() < 0.2 ? `${a}_${pick(rnd, IDENTS)}` : a;
  };
  const expr = (): string =>
    pick(rnd, [
      () => `${id()}.${id()}(${id()}, ${Math.floor(rnd() * 100)})`,
      () => `${id()} + ${id()} * ${Math.floor(rnd() * 16)}`,
      () => `"${pick(rnd, ENGLISH)} ${pick(rnd, ENGLISH)}: " + ${id()}`,
      () => `${id()}[${id()}] ?? null`,
      () => `${id()} === ${Math.floor(rnd() * 10)} && !${id()}`,
    ])();
  const python = rnd() < 0.4;
  const out: string[] = [python ? `def ${id()}(${id()}: ${pick(rnd, TYPES)}, ${id()}=None):` : `export function ${id()}(${id()}: ${pick(rnd, TYPES)}): ${pick(rnd, TYPES)} {`];
  let depth = 1;
  for (let i = 0; i < lines; i++) {
    const pad = python ? '    '.repeat(depth) : '  '.repeat(depth);
    const r = rnd();
    if (r < 0.15 && depth < 4) {
      out.push(python ? `${pad}for ${id()} in range(len(${id()})):` : `${pad}for (let i = 0; i < ${id()}.length; i++) {`);
      depth++;
    } else if (r < 0.25 && depth > 1) {
      depth--;
      if (!python) out.push(`${'  '.repeat(depth)}}`);
    } else if (r < 0.32) {
      out.push(`${pad}${python ? '#' : '//'} ${prose(rnd, 1).toLowerCase()}`);
    } else {
      out.push(python ? `${pad}${id()} = ${expr()}` : `${pad}const ${id()} = ${expr()};`);
    }
  }
  while (!python && depth > 0) out.push(`${'  '.repeat(--depth)}}`);
  return out.join('\n');
}

/** Writes a corpus of `kind` to `path`: about `targetBytes` of chat-format JSONL. */
export async function writeKindCorpus(kind: CorpusKind, path: string, targetBytes: number, seed = 1): Promise<{ bytes: number; examples: number }> {
  if (kind === 'chat') return writeCorpus(path, targetBytes, seed);
  const rnd = seededRandom(seed);
  const systems = Array.from({ length: 10 }, () => prose(rnd, 2));
  const content = (): string =>
    kind === 'prose' ? prose(rnd, 2 + Math.floor(rnd() * 10)) : kind === 'code' ? code(rnd, 5 + Math.floor(rnd() * 40)) : multilingual(rnd, 2 + Math.floor(rnd() * 8));
  const out = createWriteStream(path);
  let bytes = 0;
  let examples = 0;
  while (bytes < targetBytes) {
    const messages = [
      { role: 'system', content: pick(rnd, systems) },
      { role: 'user', content: kind === 'code' ? `${prose(rnd, 1)}\n\n${content()}` : content() },
      { role: 'assistant', content: content() },
    ];
    const line = JSON.stringify({ messages }) + '\n';
    bytes += Buffer.byteLength(line);
    examples++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, examples };
}
