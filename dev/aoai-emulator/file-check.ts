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

/**
 * Checks a file as its bytes arrive (an upload is never held whole just to be checked): complete
 * lines are checked as each chunk comes, a partial line waits for the next chunk, and UTF-8 is
 * decoded in streaming mode so a multi-byte character split across chunks is fine.
 */
export class FileChecker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private carry = '';
  private lineNo = 0;
  private problems: string[] = [];
  private count = 0;
  private examples = 0;
  private chars = 0;
  private withoutAssistant = 0;
  private invalidUtf8 = false;
  private readonly formats = new Set<FileCheck['format']>();

  push(chunk: Uint8Array): void {
    if (this.invalidUtf8) return;
    try {
      this.lines(this.decoder.decode(chunk, { stream: true }), false);
    } catch {
      this.invalidUtf8 = true;
    }
  }

  finish(): FileCheck {
    if (!this.invalidUtf8) {
      try {
        this.lines(this.decoder.decode(), true);
      } catch {
        this.invalidUtf8 = true;
      }
    }
    if (this.invalidUtf8) {
      return { problem: 'Validation of jsonl file failed: the file is not valid UTF-8.', examples: 0, approxTokens: 0, format: 'unknown', withoutAssistant: 0 };
    }
    const problems = [...this.problems];
    let count = this.count;
    if (this.examples === 0 && count === 0) problems.push('the file has no examples'), count++;
    if (this.formats.size > 1) problems.push('lines mix the chat and the preference (dpo) formats'), count++;
    const more = count > problems.length ? `; and ${count - problems.length} more` : '';
    return {
      problem: problems.length > 0 ? `Validation of jsonl file failed: ${problems.join('; ')}${more}.` : null,
      examples: this.examples,
      approxTokens: Math.ceil(this.chars / 4),
      format: this.formats.size === 1 ? [...this.formats][0]! : 'unknown',
      withoutAssistant: this.withoutAssistant,
    };
  }

  private lines(text: string, last: boolean): void {
    const all = this.carry + text;
    let start = 0;
    for (;;) {
      const end = all.indexOf('\n', start);
      if (end === -1) break;
      this.line(all.slice(start, end));
      start = end + 1;
    }
    this.carry = all.slice(start);
    if (last && this.carry !== '') {
      this.line(this.carry);
      this.carry = '';
    }
  }

  private line(raw: string): void {
    this.lineNo++;
    const line = raw.replace(/\r$/, '').replace(/^\uFEFF/, '');
    if (line.trim() === '') return;
    const result = checkLine(line);
    if (result.problem) {
      this.count++;
      if (this.problems.length < MAX_LISTED) this.problems.push(`line ${this.lineNo}: ${result.problem}`);
      return;
    }
    this.examples++;
    this.chars += result.chars;
    if (result.assistant === false) this.withoutAssistant++;
    this.formats.add(result.format);
  }
}

/** The whole-buffer form (files the emulator already holds, e.g. imports). */
export function checkFineTuneFile(content: Buffer): FileCheck {
  const checker = new FileChecker();
  checker.push(content);
  return checker.finish();
}
