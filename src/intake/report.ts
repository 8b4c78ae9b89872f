/** The run's validation report: the validator's findings plus the options file's. Pure. */
import { renderMarkdown, type ValidationReport } from '../validation/index.js';
import type { OptionsProblem } from '../runs/run-options.js';

export interface OptionsReport {
  path: string;
  valid: boolean;
  errors: Array<{ line: null; code: 'invalid_option'; field: string; message: string }>;
}
/** The validator's report plus the options file's findings: `validation-report.json`. */
export type RunValidationReport = ValidationReport & { options?: OptionsReport };

export function optionsReport(path: string, problems: readonly OptionsProblem[]): OptionsReport {
  return {
    path,
    valid: problems.length === 0,
    errors: problems.map((p) => ({ line: null, code: 'invalid_option' as const, field: p.field, message: p.message })),
  };
}

export function buildRunReport(validated: ValidationReport, options: { path: string; problems: readonly OptionsProblem[] } | undefined): RunValidationReport {
  return {
    ...validated,
    valid: validated.valid && (options?.problems.length ?? 0) === 0,
    ...(options ? { options: optionsReport(options.path, options.problems) } : {}),
  };
}

export function renderRunReport(report: RunValidationReport): string {
  const markdown = renderMarkdown(report);
  if (!report.options) return markdown;
  const lines = [`## options: \`${report.options.path}\` (${report.options.valid ? 'valid' : `${report.options.errors.length} error(s)`})`, ''];
  if (report.options.errors.length > 0) {
    lines.push('| key | message |', '|---|---|');
    for (const e of report.options.errors) lines.push(`| \`${e.field || '(file)'}\` | ${e.message.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return `${markdown}\n${lines.join('\n')}`;
}
