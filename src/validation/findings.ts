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
  // Preference (DPO) lines
  'dpo_invalid_input',
  'dpo_invalid_output',
  // Reinforcement (RFT) lines and the grader
  'rft_last_message_not_user',
  'rft_system_message',
  'rft_missing_reference_field',
  'rft_validation_file_required',
  'grader_missing',
  'grader_invalid',
  // Vision parts
  'invalid_image',
  'too_many_images',
  'image_in_assistant_message',
  'images_not_supported',
  'too_many_image_examples',
  // The method, model and training type together
  'unsupported_method',
  'unsupported_training_type',
  'method_mismatch',
] as const;

export const WARNING_CODES = [
  'blank_line',
  'missing_system_message',
  'missing_user_message',
  'duplicate_example',
  'train_validation_overlap',
  'unrecognized_example_key',
  'dpo_identical_outputs',
  'image_url_not_checked',
  'model_retired',
  'grader_dry_run',
  'grader_reference',
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
