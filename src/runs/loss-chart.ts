/**
 * The loss curves of a finished job as a small self-contained SVG (`runs/<runId>/loss.svg`), drawn
 * from the job's results.csv: training loss per step, and validation loss when there is one.
 */
export interface LossPoint {
  step: number;
  trainLoss?: number;
  validLoss?: number;
}

/** Reads results.csv (`step,train_loss,...,valid_loss,...`); unknown or empty cells are skipped. */
export function parseResultsCsv(csv: string): LossPoint[] {
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',').map((c) => c.trim());
  const index = (name: string): number => columns.indexOf(name);
  const [stepAt, trainAt, validAt] = [index('step'), index('train_loss'), index('valid_loss')];
  if (stepAt < 0) return [];
  const number = (cell: string | undefined): number | undefined => {
    if (cell === undefined || cell.trim() === '') return undefined;
    const n = Number(cell);
    return Number.isFinite(n) ? n : undefined;
  };
  const points: LossPoint[] = [];
  for (const row of rows) {
    const cells = row.split(',');
    const step = number(cells[stepAt]);
    if (step === undefined) continue;
    const trainLoss = trainAt >= 0 ? number(cells[trainAt]) : undefined;
    const validLoss = validAt >= 0 ? number(cells[validAt]) : undefined;
    points.push({ step, ...(trainLoss !== undefined ? { trainLoss } : {}), ...(validLoss !== undefined ? { validLoss } : {}) });
  }
  return points;
}

const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 56, right: 16, top: 32, bottom: 40 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

export function renderLossChart(points: readonly LossPoint[], title: string): string {
  const losses = points.flatMap((p) => [p.trainLoss, p.validLoss]).filter((v): v is number => v !== undefined);
  const steps = points.map((p) => p.step);
  const minStep = Math.min(...steps, 0);
  const maxStep = Math.max(...steps, 1);
  const maxLoss = Math.max(...losses, 0.0001);
  const x = (step: number): number => PAD.left + ((step - minStep) / (maxStep - minStep || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (loss: number): number => HEIGHT - PAD.bottom - (loss / maxLoss) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (key: 'trainLoss' | 'validLoss'): string =>
    points
      .filter((p) => p[key] !== undefined)
      .map((p) => `${x(p.step).toFixed(1)},${y(p[key] as number).toFixed(1)}`)
      .join(' ');
  const train = line('trainLoss');
  const valid = line('validLoss');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PAD.left}" y="20" font-size="14">${escapeXml(title)}</text>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#444"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#444"/>`,
    `<text x="${PAD.left}" y="${HEIGHT - 12}">step ${minStep}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 12}" text-anchor="end">step ${maxStep}</text>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${maxLoss.toFixed(2)}</text>`,
    `<text x="${PAD.left - 6}" y="${HEIGHT - PAD.bottom}" text-anchor="end">0</text>`,
  ];
  if (train) parts.push(`<polyline class="train-loss" fill="none" stroke="#1f77b4" stroke-width="2" points="${train}"/>`);
  if (valid) parts.push(`<polyline class="valid-loss" fill="none" stroke="#ff7f0e" stroke-width="2" points="${valid}"/>`);
  parts.push(`<text x="${WIDTH - PAD.right}" y="${PAD.top}" text-anchor="end" fill="#1f77b4">training loss</text>`);
  if (valid) parts.push(`<text x="${WIDTH - PAD.right}" y="${PAD.top + 16}" text-anchor="end" fill="#ff7f0e">validation loss</text>`);
  if (points.length === 0) parts.push(`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no loss data</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
