/**
 * `evaluation.md` and `evaluation.svg`: the gate's results for people. The chart is a grouped bar
 * chart (one group per grader, one bar per contender), self-contained SVG like the loss chart.
 */
import type { EvaluationResult } from './evaluation-result.js';

const ROLE_COLOURS: Record<string, string> = { candidate: '#2563eb', champion: '#f59e0b', base: '#9ca3af' };
/** Checkpoints share one hue family (the run's own models), lighter than the final model's blue. */
const CHECKPOINT_COLOURS = ['#60a5fa', '#93c5fd', '#1e40af', '#bfdbfe'];
const colourOf = (role: string, index: number): string => ROLE_COLOURS[role] ?? (role.startsWith('checkpoint-') ? CHECKPOINT_COLOURS[index % CHECKPOINT_COLOURS.length]! : '#000');

const pct = (v: number | null | undefined): string => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—');
const cell = (text: string, max = 80): string => {
  const one = text.replace(/\s+/g, ' ').trim();
  return (one.length > max ? `${one.slice(0, max)}…` : one).replace(/\|/g, '\\|');
};
const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderEvaluationMarkdown(result: EvaluationResult, title: string): string {
  const roles = result.contenders.map((c) => c.role);
  const lines = [
    `# Evaluation: ${title}`,
    '',
    `**Decision:** ${result.decision.promote ? 'promote' : 'do not promote'} — ${result.decision.reason}`,
    '',
    ...(result.winner
      ? [`**Run's best contender:** ${result.winner.role} (\`${result.winner.deployment}\`, ${result.winner.model}) — ${result.winner.reason}. The other contenders' deployments are removed.`, '']
      : []),
    ...(result.skippedCheckpoints?.length ? [`Checkpoints not evaluated: ${result.skippedCheckpoints.map((s) => `step ${s.step} (${s.reason})`).join('; ')}`, ''] : []),
    `Evaluation set: ${result.set.kind} (\`${result.set.blob}\`), ${result.set.examples} example(s). ${result.set.note}`,
    ...(result.set.skippedLines.length > 0 ? ['', `Skipped lines: ${result.set.skippedLines.map((p) => `${p.line} (${p.message})`).join('; ')}`] : []),
    '',
    '## Scores (mean, 0-100%)',
    '',
    `| grader | ${result.contenders.map((c) => `${c.role} \`${c.deployment}\``).join(' | ')} |`,
    `|---|${roles.map(() => '---:').join('|')}|`,
    ...result.graders.map((g) => `| ${g === result.metric || g.startsWith(`${result.metric}:`) ? `**${g}** (metric)` : g} | ${roles.map((r) => pct(result.aggregates[r]?.[g])).join(' | ')} |`),
    '',
    '![scores](evaluation.svg)',
    '',
    '## Examples',
    '',
    `| line | prompt | reference | ${roles.map((r) => `${r} answer (${result.metric})`).join(' | ')} |`,
    `|---:|---|---|${roles.map(() => '---').join('|')}|`,
    ...result.examples.map((e) => {
      const answers = roles.map((r) => {
        const a = e.answers[r];
        if (!a) return '—';
        const score = Object.entries(a.scores).find(([k]) => k === result.metric || k.startsWith(`${result.metric}:`))?.[1];
        return `${a.text === null ? `error: ${cell(a.error ?? '', 60)}` : cell(a.text, 60)} (${pct(score)})`;
      });
      return `| ${e.line} | ${cell(e.prompt)} | ${cell(e.reference)} | ${answers.join(' | ')} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

export function renderEvaluationChart(result: EvaluationResult): string {
  const roles = result.contenders.map((c) => c.role);
  const groupWidth = 40 + roles.length * 36;
  const left = 48;
  const top = 40;
  const height = 200;
  const width = left + result.graders.length * groupWidth + 20;
  const bars: string[] = [];
  result.graders.forEach((g, gi) => {
    const x0 = left + gi * groupWidth + 20;
    roles.forEach((role, ri) => {
      const v = result.aggregates[role]?.[g];
      const h = typeof v === 'number' ? Math.round(v * height) : 0;
      bars.push(
        `<rect class="bar ${role}" x="${x0 + ri * 36}" y="${top + height - h}" width="30" height="${h}" fill="${colourOf(role, ri)}"><title>${escapeXml(`${role} ${g}: ${pct(v)}`)}</title></rect>`,
        `<text x="${x0 + ri * 36 + 15}" y="${top + height - h - 4}" font-size="10" text-anchor="middle">${typeof v === 'number' ? Math.round(v * 100) : '—'}</text>`,
      );
    });
    bars.push(`<text x="${x0 + (roles.length * 36) / 2}" y="${top + height + 16}" font-size="12" text-anchor="middle">${escapeXml(g)}</text>`);
  });
  const legend = roles.map((r, i) => `<rect x="${left + i * 110}" y="10" width="12" height="12" fill="${colourOf(r, i)}"/><text x="${left + i * 110 + 16}" y="20" font-size="12">${r}</text>`);
  const axis = [0, 0.5, 1].map((t) => `<line x1="${left}" x2="${width - 10}" y1="${top + height - t * height}" y2="${top + height - t * height}" stroke="#e5e7eb"/><text x="${left - 6}" y="${top + height - t * height + 4}" font-size="10" text-anchor="end">${t * 100}%</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 30}" font-family="sans-serif">\n${[...axis, ...legend, ...bars].join('\n')}\n</svg>\n`;
}
