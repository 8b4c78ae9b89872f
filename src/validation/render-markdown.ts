import type { Finding } from './findings.js';
import type { Summary } from './histogram.js';
import type { FileReport, ValidationReport } from './report.js';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const fmt = (n: number): string => number.format(n);

/**
 * Renders a validation report as Markdown: readable as plain text in a terminal, and rendered
 * nicely where the run's `validation-report.md` is viewed (portal, GitHub, VS Code).
 */
export function renderMarkdown(report: ValidationReport): string {
  const out: string[] = [];
  out.push(`# Dataset validation: ${report.valid ? 'VALID' : 'INVALID'}`, '');
  out.push(
    `Base model \`${report.model}\` (encoding \`${report.encoding}\`, at most ${fmt(report.maxExampleTokens)} tokens per example).`,
    '',
  );
  for (const file of report.files) out.push(...renderFile(file));
  const { epochs, tokensPerEpoch, billedTokens } = report.estimate;
  out.push('## Training estimate', '');
  out.push(
    `About ${fmt(tokensPerEpoch)} billed tokens per epoch × ${epochs} epochs = **~${fmt(billedTokens)} billed training tokens**.`,
    '',
  );
  return out.join('\n');
}

function renderFile(file: FileReport): string[] {
  const out: string[] = [];
  const verdict = file.errorCount === 0 ? 'valid' : plural(file.errorCount, 'error');
  out.push(`## ${file.role}: \`${file.path}\` (${verdict})`, '');
  out.push(`${plural(file.examples, 'example')} read, ${fmt(file.validExamples)} valid · ${plural(file.bytes, 'byte')} · sha256 \`${file.sha256}\``, '');
  if (file.measuredExamples > 0) {
    if (file.measuredExamples !== file.examples) {
      out.push(`Statistics below cover the ${plural(file.measuredExamples, 'example')} that could be counted; ${fmt(file.examples - file.measuredExamples)} could not (see the errors).`, '');
    }
    out.push('| per example | min | max | mean | median | p5 | p95 | sum |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    out.push(row('total tokens', file.tokens.total), row('assistant tokens', file.tokens.assistant), row('messages', file.messages), '');
    if (file.tooLong > 0) out.push(`${plural(file.tooLong, 'example')} over the token limit.`, '');
  }
  out.push(...findings('Errors', file.errors, file.errorCount));
  out.push(...findings('Warnings', file.warnings, file.warningCount));
  for (const note of file.notes) out.push(`> ${note}`, '');
  return out;
}

function plural(n: number, noun: string): string {
  return `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function row(label: string, s: Summary): string {
  return `| ${label} | ${fmt(s.min)} | ${fmt(s.max)} | ${fmt(s.mean)} | ${fmt(s.median)} | ${fmt(s.p5)} | ${fmt(s.p95)} | ${fmt(s.sum)} |`;
}

function findings(title: string, items: Finding[], total: number): string[] {
  if (total === 0) return [];
  const out = [`### ${title} (${fmt(total)})`, '', '| line | code | field | message |', '|---:|---|---|---|'];
  for (const f of items) {
    out.push(`| ${f.line ?? '–'} | \`${f.code}\` | ${f.field ? `\`${f.field}\`` : ''} | ${escapeCell(f.message)} |`);
  }
  if (total > items.length) out.push('', `…and ${fmt(total - items.length)} more not listed.`);
  out.push('');
  return out;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
