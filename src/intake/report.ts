/** The run's validation report: the validator's findings plus the options file's. Pure. */
import type { TrainingCostEstimate } from '../costs/training-cost.js';
import { renderMarkdown, type ValidationReport } from '../validation/index.js';
import type { OptionsProblem } from '../runs/run-options.js';

export interface OptionsReport {
  path: string;
  valid: boolean;
  errors: Array<{ line: null; code: 'invalid_option'; field: string; message: string }>;
}
/** The validator's report plus the options file's findings and the cost estimate: `validation-report.json`. */
export type RunValidationReport = ValidationReport & { options?: OptionsReport; estimatedTrainingCost?: TrainingCostEstimate };

export function optionsReport(path: string, problems: readonly OptionsProblem[]): OptionsReport {
  return {
    path,
    valid: problems.length === 0,
    errors: problems.map((p) => ({ line: null, code: 'invalid_option' as const, field: p.field, message: p.message })),
  };
}

export function buildRunReport(
  validated: ValidationReport,
  options: { path: string; problems: readonly OptionsProblem[] } | undefined,
  estimatedTrainingCost?: TrainingCostEstimate,
): RunValidationReport {
  return {
    ...validated,
    ...(estimatedTrainingCost ? { estimatedTrainingCost } : {}),
    valid: validated.valid && (options?.problems.length ?? 0) === 0,
    ...(options ? { options: optionsReport(options.path, options.problems) } : {}),
  };
}

export function renderRunReport(report: RunValidationReport): string {
  const cost = report.estimatedTrainingCost;
  const markdown =
    renderMarkdown(report) +
    (cost
      ? `\n## Estimated training cost\n\n${cost.amount === null ? 'unknown' : `**${cost.amount.toFixed(2)} ${cost.currency}**`} (${cost.trainingType} training): ${cost.basis}. ` +
        'Prices come from the price table in the settings (FT_PRICES), not from Azure; hosting the deployed model costs extra per hour.\n'
      : '');
  if (!report.options) return markdown;
  const lines = [`## options: \`${report.options.path}\` (${report.options.valid ? 'valid' : `${report.options.errors.length} error(s)`})`, ''];
  if (report.options.errors.length > 0) {
    lines.push('| key | message |', '|---|---|');
    for (const e of report.options.errors) lines.push(`| \`${e.field || '(file)'}\` | ${e.message.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return `${markdown}\n${lines.join('\n')}`;
}
