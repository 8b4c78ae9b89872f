/**
 * The learning curves of a finished job as a small self-contained SVG (`runs/<runId>/loss.svg`),
 * drawn from the job's results.csv with the method's own metric: the mean reward per step for
 * reinforcement fine-tuning (`train_reward_mean`, `valid_reward_mean` —
 * learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning, "Training
 * metrics"), the loss otherwise (the DPO loss for a preference run); training and, when there is
 * one, validation.
 */
import type { FineTuningMethod } from '../validation/models.js';

export interface LossPoint {
  step: number;
  trainLoss?: number;
  validLoss?: number;
}

/** Reads results.csv (`step,train_loss,...,valid_loss,...`); unknown or empty cells are skipped. */
export function parseResultsCsv(csv: string): LossPoint[] {
  return parseColumns(csv, 'train_loss', 'valid_loss').map(({ step, train, valid }) => ({
    step,
    ...(train !== undefined ? { trainLoss: train } : {}),
    ...(valid !== undefined ? { validLoss: valid } : {}),
  }));
}

interface MetricPoint {
  step: number;
  train?: number;
  valid?: number;
}

/** Columns of results.csv by name (a RegExp takes the first matching column); rows without a step are skipped. */
function parseColumns(csv: string, train: string | RegExp, valid: string | RegExp): MetricPoint[] {
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',').map((c) => c.trim());
  const index = (name: string | RegExp): number => (typeof name === 'string' ? columns.indexOf(name) : columns.findIndex((c) => name.test(c)));
  const [stepAt, trainAt, validAt] = [index('step'), index(train), index(valid)];
  if (stepAt < 0) return [];
  const number = (cell: string | undefined): number | undefined => {
    if (cell === undefined || cell.trim() === '') return undefined;
    const n = Number(cell);
    return Number.isFinite(n) ? n : undefined;
  };
  const points: MetricPoint[] = [];
  for (const row of rows) {
    const cells = row.split(',');
    const step = number(cells[stepAt]);
    if (step === undefined) continue;
    const trainValue = trainAt >= 0 ? number(cells[trainAt]) : undefined;
    const validValue = validAt >= 0 ? number(cells[validAt]) : undefined;
    points.push({ step, ...(trainValue !== undefined ? { train: trainValue } : {}), ...(validValue !== undefined ? { valid: validValue } : {}) });
  }
  return points;
}

/** Reward columns: Azure documents `train_reward_mean` / `valid_reward_mean`; any `train_…reward…` column is taken. */
const TRAIN_REWARD = /^train_\w*reward/;
const VALID_REWARD = /^valid_\w*reward/;

/**
 * The chart of a job's results.csv for its method: reward when the file has reward columns (RFT),
 * else loss, named the DPO loss for a preference run.
 */
export function renderResultsChart(csv: string, title: string, method?: FineTuningMethod): string {
  const header = csv.trim().split(/\r?\n/, 1)[0]?.split(',').map((c) => c.trim()) ?? [];
  if (header.some((c) => TRAIN_REWARD.test(c) || VALID_REWARD.test(c))) {
    return renderSeriesChart(parseColumns(csv, TRAIN_REWARD, VALID_REWARD), title, { name: 'reward', train: 'training reward (mean)', valid: 'validation reward (mean)' });
  }
  const loss = method === 'dpo' ? 'DPO loss' : 'loss';
  return renderSeriesChart(parseColumns(csv, 'train_loss', 'valid_loss'), title, { name: 'loss', train: `training ${loss}`, valid: `validation ${loss}` });
}

const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 56, right: 16, top: 32, bottom: 40 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

export function renderLossChart(points: readonly LossPoint[], title: string): string {
  const series = points.map((p) => ({ step: p.step, ...(p.trainLoss !== undefined ? { train: p.trainLoss } : {}), ...(p.validLoss !== undefined ? { valid: p.validLoss } : {}) }));
  return renderSeriesChart(series, title, { name: 'loss', train: 'training loss', valid: 'validation loss' });
}

/** A training and a validation series over steps; the y axis spans 0 and every value (rewards may be negative). */
function renderSeriesChart(points: readonly MetricPoint[], title: string, labels: { name: string; train: string; valid: string }): string {
  const values = points.flatMap((p) => [p.train, p.valid]).filter((v): v is number => v !== undefined);
  const steps = points.map((p) => p.step);
  const minStep = Math.min(...steps, 0);
  const maxStep = Math.max(...steps, 1);
  const maxValue = Math.max(...values, 0.0001);
  const minValue = Math.min(...values, 0);
  const x = (step: number): number => PAD.left + ((step - minStep) / (maxStep - minStep || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number): number => HEIGHT - PAD.bottom - ((value - minValue) / (maxValue - minValue)) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (key: 'train' | 'valid'): string =>
    points
      .filter((p) => p[key] !== undefined)
      .map((p) => `${x(p.step).toFixed(1)},${y(p[key] as number).toFixed(1)}`)
      .join(' ');
  const train = line('train');
  const valid = line('valid');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PAD.left}" y="20" font-size="14">${escapeXml(title)}</text>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#444"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#444"/>`,
    `<text x="${PAD.left}" y="${HEIGHT - 12}">step ${minStep}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 12}" text-anchor="end">step ${maxStep}</text>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${maxValue.toFixed(2)}</text>`,
    `<text x="${PAD.left - 6}" y="${HEIGHT - PAD.bottom}" text-anchor="end">${minValue === 0 ? '0' : minValue.toFixed(2)}</text>`,
  ];
  if (train) parts.push(`<polyline class="train-${labels.name}" fill="none" stroke="#1f77b4" stroke-width="2" points="${train}"/>`);
  if (valid) parts.push(`<polyline class="valid-${labels.name}" fill="none" stroke="#ff7f0e" stroke-width="2" points="${valid}"/>`);
  parts.push(`<text x="${WIDTH - PAD.right}" y="${PAD.top}" text-anchor="end" fill="#1f77b4">${escapeXml(labels.train)}</text>`);
  if (valid) parts.push(`<text x="${WIDTH - PAD.right}" y="${PAD.top + 16}" text-anchor="end" fill="#ff7f0e">${escapeXml(labels.valid)}</text>`);
  if (points.length === 0) parts.push(`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no ${labels.name} data</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
