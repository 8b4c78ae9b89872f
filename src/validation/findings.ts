/** Stable finding codes. Consumers (reports, notifications, CI scripts) may match on them. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_utf8',
  'data_type',
  'missing_messages_list',
  'message_missing_key',
  'message_unrecognized_key',
  'unrecognized_role',
  'missing_content',
  'example_missing_assistant_message',
  'invalid_weight',
  'invalid_tool_call',
  'too_many_tokens',
  'too_few_examples',
  'file_too_large',
  'empty_file',
  'line_too_long',
] as const;

export const WARNING_CODES = [
  'blank_line',
  'missing_system_message',
  'missing_user_message',
  'duplicate_example',
  'train_validation_overlap',
  'unrecognized_example_key',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type WarningCode = (typeof WARNING_CODES)[number];
export type FindingCode = ErrorCode | WarningCode;

export interface Finding {
  /** 1-based line number in the file; null for findings about the whole file. */
  line: number | null;
  code: FindingCode;
  message: string;
  /** Where in the example, as a path: `messages[2].role`. */
  field?: string;
}

const ERROR_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(code: FindingCode): code is ErrorCode {
  return ERROR_SET.has(code);
}

/** Findings of one severity with a cap: the first `limit` are kept, the rest only counted. */
export class CappedFindings {
  readonly items: Finding[] = [];
  total = 0;

  constructor(private readonly limit: number) {}

  add(finding: Finding): void {
    this.total++;
    if (this.items.length < this.limit) this.items.push(finding);
  }

  get omitted(): number {
    return this.total - this.items.length;
  }
}
