/**
 * Graders for the evaluation gate: each turns (answer, reference) into a score from 0 to 1.
 * Pure and synchronous, except the model grader, which asks a deployment the caller names and is
 * given its `ask` function (so this module stays free of I/O).
 */

export const TEXT_GRADERS = ['exact_match', 'contains', 'similarity', 'json_valid'] as const;
export type TextGraderName = (typeof TEXT_GRADERS)[number];
export type GraderSpec = { type: TextGraderName } | { type: 'model'; deployment: string };
export type GraderName = TextGraderName | 'model';

/** Case-folded, Unicode-normalized, whitespace collapsed, outer punctuation trimmed. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\s"'`.,!?;:]+|[\s"'`.,!?;:]+$/g, '');
}

const WORD = /[\p{L}\p{N}]+/gu;
export function tokens(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}

export function exactMatch(answer: string, reference: string): number {
  return normalize(answer) === normalize(reference) ? 1 : 0;
}

/** The reference appears within the answer (normalized): for answers that may say more than asked. */
export function contains(answer: string, reference: string): number {
  const ref = normalize(reference);
  return ref !== '' && normalize(answer).includes(ref) ? 1 : 0;
}

/**
 * ROUGE-L F1 (Lin, 2004): the longest common subsequence of word tokens, as the harmonic mean of
 * its precision and recall. Order-aware, unlike a bag of words; the usual summary metric in
 * Azure AI Foundry's and Vertex AI's evaluation of generated text.
 */
export function rougeL(answer: string, reference: string): number {
  const a = tokens(answer);
  const r = tokens(reference);
  if (a.length === 0 || r.length === 0) return a.length === r.length ? 1 : 0;
  // Two rows of the LCS table: memory linear in the reference length.
  let previous = new Array<number>(r.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(r.length + 1).fill(0);
    for (let j = 1; j <= r.length; j++) {
      current[j] = a[i - 1] === r[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  const lcs = previous[r.length]!;
  if (lcs === 0) return 0;
  const precision = lcs / a.length;
  const recall = lcs / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** 1 when the answer is JSON (a fenced ```json block counts: models often wrap JSON that way). */
export function jsonValid(answer: string): number {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(answer);
  try {
    JSON.parse(fenced ? fenced[1]! : answer);
    return 1;
  } catch {
    return 0;
  }
}

export function gradeText(grader: TextGraderName, answer: string, reference: string): number {
  switch (grader) {
    case 'exact_match':
      return exactMatch(answer, reference);
    case 'contains':
      return contains(answer, reference);
    case 'similarity':
      return rougeL(answer, reference);
    case 'json_valid':
      return jsonValid(answer);
  }
}

/** The prompt a model grader gets: the question, the reference and the answer; it replies with 0-10. */
export function modelGraderPrompt(question: string, reference: string, answer: string): Array<{ role: 'system' | 'user'; content: string }> {
  return [
    {
      role: 'system',
      content:
        'You grade answers against a reference answer. Reply with one whole number from 0 (wrong or unrelated) to 10 ' +
        '(as good as the reference, in meaning and in style), and nothing else.',
    },
    { role: 'user', content: `Question:\n${question}\n\nReference answer:\n${reference}\n\nAnswer to grade:\n${answer}` },
  ];
}

/** The grader model's score as 0-1, or null when its reply holds no number from 0 to 10. */
export function parseModelGrade(reply: string): number | null {
  const match = /-?\d+(?:\.\d+)?/.exec(reply);
  if (!match) return null;
  const value = Number(match[0]);
  if (!(value >= 0 && value <= 10)) return null;
  return value / 10;
}

export function graderName(spec: GraderSpec): string {
  return spec.type === 'model' ? `model:${spec.deployment}` : spec.type;
}
