/**
 * The evaluation set: prompts with reference answers. Lines are chat examples (the same format
 * as training data): the messages up to the last assistant message are the prompt, that
 * assistant message is the reference. A `"reference"` field, when present, is the reference and
 * every message is prompt. Pure: the caller reads the blob.
 */
export interface EvalMessage {
  role: string;
  content: string;
}
export interface EvalExample {
  /** 1-based line number in the source file. */
  line: number;
  prompt: EvalMessage[];
  reference: string;
}
export interface EvalSetProblem {
  line: number;
  message: string;
}

function text(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts = content.map((p) => (p && typeof p === 'object' && (p as Record<string, unknown>)['type'] === 'text' ? (p as Record<string, unknown>)['text'] : null));
    return parts.every((p) => typeof p === 'string') ? (parts as string[]).join('') : null;
  }
  return null;
}

export function parseEvalLine(line: string, lineNumber: number): EvalExample | EvalSetProblem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { line: lineNumber, message: `not valid JSON: ${(error as Error).message}` };
  }
  const record = value as { messages?: unknown; reference?: unknown };
  if (!record || typeof record !== 'object' || !Array.isArray(record.messages)) return { line: lineNumber, message: "missing the 'messages' list" };
  const messages: EvalMessage[] = [];
  for (const [i, m] of (record.messages as unknown[]).entries()) {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    const body = text(content);
    if (typeof role !== 'string' || body === null) return { line: lineNumber, message: `messages[${i}] needs a role and text content` };
    messages.push({ role, content: body });
  }
  if (typeof record.reference === 'string') {
    if (messages.length === 0) return { line: lineNumber, message: 'no prompt messages' };
    return { line: lineNumber, prompt: messages, reference: record.reference };
  }
  const last = messages.findLastIndex((m) => m.role === 'assistant');
  if (last < 1) return { line: lineNumber, message: "no assistant message to use as the reference (or a 'reference' field)" };
  return { line: lineNumber, prompt: messages.slice(0, last), reference: messages[last]!.content };
}

/** Every example of a JSONL text, and the lines that could not be used. */
export function parseEvalSet(jsonl: string, max = Number.POSITIVE_INFINITY): { examples: EvalExample[]; problems: EvalSetProblem[] } {
  const examples: EvalExample[] = [];
  const problems: EvalSetProblem[] = [];
  const lines = jsonl.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const parsed = parseEvalLine(line, i + 1);
    if ('reference' in parsed) {
      if (examples.length < max) examples.push(parsed);
    } else problems.push(parsed);
  }
  return { examples, problems };
}

/**
 * Splits a training file for a held-out slice when there is neither an eval nor a validation
 * file: the last `holdOut` example lines are kept out of training. At most 10% and at most `max`
 * examples, and only when at least `minTraining` remain to train on (the service's minimum).
 */
export function holdOutSlice(jsonl: string, max: number, minTraining = 10): { training: string; heldOut: string; count: number; firstLine: number } | null {
  const lines = jsonl.replace(/^\uFEFF/, '').split(/\r?\n/);
  const filled = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim() !== '');
  const count = Math.min(max, Math.floor(filled.length / 10));
  if (count < 1 || filled.length - count < minTraining) return null;
  const cut = filled[filled.length - count]!.i;
  return {
    training: `${lines.slice(0, cut).filter((l) => l.trim() !== '').join('\n')}\n`,
    heldOut: `${lines.slice(cut).filter((l) => l.trim() !== '').join('\n')}\n`,
    count,
    firstLine: cut + 1,
  };
}
