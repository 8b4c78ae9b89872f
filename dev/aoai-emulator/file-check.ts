/**
 * The emulator's own check of an uploaded `fine-tune` file: what the service itself rejects at
 * processing time, deliberately NOT the app's validator (src/validation), so a validator that is
 * too lenient is caught here instead of agreeing with itself.
 *
 * What Azure checks (learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning "Prepare your
 * data"; error code `jsonlValidationFailed` [spec-aoai ErrorCode]): the file is UTF-8 JSONL, every
 * non-blank line is a JSON object, and each line has the shape of one of the training formats:
 *  - chat (supervised, reinforcement): `messages` is a non-empty array of `{role, content}` with
 *    role system | developer | user | assistant | tool, and (supervised) at least one assistant turn;
 *  - preference (dpo): `input.messages`, `preferred_output` and `non_preferred_output` arrays.
 * Limits that depend on the model (tokens per example) and on the job (minimum 10 examples) are
 * checked at job creation, as Azure does.
 */

export interface FileCheck {
  /** Null when the file is acceptable, else the `status_details` Azure would give. */
  problem: string | null;
  examples: number;
  /** A rough token count (4 characters a token) used only for `trained_tokens`; Azure's exact count is unknowable offline. */
  approxTokens: number;
  /** Which training format the lines have. */
  format: 'chat' | 'preference' | 'unknown';
  /** Chat examples without an assistant turn: fine for reinforcement, not for supervised training. */
  withoutAssistant: number;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const MAX_LISTED = 5;

function messageProblem(messages: unknown, where: string): string | null {
  if (!Array.isArray(messages) || messages.length === 0) return `${where} must be a non-empty array`;
  for (const [i, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `${where}[${i}] must be an object`;
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) return `${where}[${i}].role must be one of ${[...ROLES].join(', ')}`;
    const hasToolCalls = Array.isArray((m as Record<string, unknown>)['tool_calls']);
    if (!(typeof content === 'string' || Array.isArray(content) || (content === null && hasToolCalls))) {
      return `${where}[${i}].content must be a string or a list of content parts`;
    }
  }
  return null;
}

function textLength(value: unknown): number {
  return typeof value === 'string' ? value.length : JSON.stringify(value ?? '').length;
}

/** Checks one line; returns its problem or null, and its shape. */
function checkLine(line: string): { problem: string | null; format: FileCheck['format']; chars: number; assistant?: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: 'not valid JSON', format: 'unknown', chars: 0 };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'not a JSON object', format: 'unknown', chars: 0 };
  const o = parsed as Record<string, unknown>;
  if ('preferred_output' in o || 'non_preferred_output' in o) {
    const input = o['input'] as Record<string, unknown> | undefined;
    const problem =
      messageProblem(input?.['messages'], 'input.messages') ??
      messageProblem(o['preferred_output'], 'preferred_output') ??
      messageProblem(o['non_preferred_output'], 'non_preferred_output');
    return { problem, format: 'preference', chars: textLength(o) };
  }
  if (!('messages' in o)) return { problem: "missing 'messages'", format: 'unknown', chars: 0 };
  const problem = messageProblem(o['messages'], 'messages');
  const assistant = Array.isArray(o['messages']) && (o['messages'] as Record<string, unknown>[]).some((m) => m?.['role'] === 'assistant');
  return { problem, format: 'chat', assistant, chars: (o['messages'] as unknown[] | undefined)?.reduce<number>((n, m) => n + textLength((m as Record<string, unknown>)?.['content']), 0) ?? 0 };
}

/** Streams over the file's lines (the content is already stored; no second copy is made). */
export function checkFineTuneFile(content: Buffer): FileCheck {
  const problems: string[] = [];
  let count = 0;
  let examples = 0;
  let chars = 0;
  let withoutAssistant = 0;
  const formats = new Set<FileCheck['format']>();
  const text = content.toString('utf8');
  if (text.includes('\uFFFD') && !content.includes(Buffer.from('\uFFFD'))) {
    return { problem: 'Validation of jsonl file failed: the file is not valid UTF-8.', examples: 0, approxTokens: 0, format: 'unknown', withoutAssistant: 0 };
  }
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const line = text.slice(start, end).replace(/\r$/, '').replace(/^\uFEFF/, '');
    start = end + 1;
    if (line.trim() === '') continue;
    const result = checkLine(line);
    if (result.problem) {
      count++;
      if (problems.length < MAX_LISTED) problems.push(`line ${lineNo}: ${result.problem}`);
      continue;
    }
    examples++;
    chars += result.chars;
    if (result.assistant === false) withoutAssistant++;
    formats.add(result.format);
  }
  if (examples === 0 && count === 0) problems.push('the file has no examples'), count++;
  if (formats.size > 1) problems.push('lines mix the chat and the preference (dpo) formats'), count++;
  const more = count > problems.length ? `; and ${count - problems.length} more` : '';
  return {
    problem: problems.length > 0 ? `Validation of jsonl file failed: ${problems.join('; ')}${more}.` : null,
    examples,
    approxTokens: Math.ceil(chars / 4),
    format: formats.size === 1 ? [...formats][0]! : 'unknown',
    withoutAssistant,
  };
}
