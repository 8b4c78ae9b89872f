/**
 * Training metrics as the console and CLI draw them: one row per step with every numeric column the
 * service reports (train_loss, train_mean_token_accuracy, valid_loss, … and, for reinforcement
 * fine-tuning, reward columns), from a job's `metrics` events while it runs and from its
 * results.csv once it has finished. Pure.
 */
export type MetricRow = { step: number } & Record<string, number>;

/** Reads a results.csv: a header row, then one row per step; empty or non-numeric cells are left out. */
export function parseMetricsCsv(csv: string): MetricRow[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',').map((c) => c.trim());
  if (!columns.includes('step')) return [];
  const rows: MetricRow[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    const row: Record<string, number> = {};
    columns.forEach((column, i) => {
      const cell = cells[i]?.trim();
      if (!column || cell === undefined || cell === '') return;
      const value = Number(cell);
      if (Number.isFinite(value)) row[column] = value;
    });
    if (row['step'] !== undefined) rows.push(row as MetricRow);
  }
  return rows;
}

/** The numeric fields of `metrics` events' data (Azure: `{ step, train_loss, train_mean_token_accuracy, … }`), oldest first. */
export function metricsFromEvents(events: ReadonlyArray<{ type?: string; data?: unknown; created_at?: number }>): MetricRow[] {
  const byStep = new Map<number, MetricRow>();
  for (const event of events) {
    if (event.type !== 'metrics' || typeof event.data !== 'object' || event.data === null) continue;
    const row: Record<string, number> = {};
    for (const [key, value] of Object.entries(event.data as Record<string, unknown>)) {
      if (typeof value === 'number' && Number.isFinite(value) && key !== 'total_steps') row[key] = value;
    }
    if (row['step'] !== undefined) byStep.set(row['step'], row as MetricRow);
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
