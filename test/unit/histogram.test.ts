import { describe, expect, it } from 'vitest';
import { IntHistogram } from '../../src/validation/histogram.js';

/** numpy.quantile's default (linear) on a sorted copy: the reference the histogram must match. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

describe('IntHistogram', () => {
  it('matches sort-based statistics exactly, including values above the dense range', () => {
    let seed = 42;
    const values: number[] = [];
    const histogram = new IntHistogram(1000);
    for (let i = 0; i < 5001; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = seed % 7 === 0 ? 1000 + (seed % 5000) : seed % 900;
      values.push(v);
      histogram.add(v);
    }
    const s = histogram.summary();
    const round2 = (x: number) => Math.round(x * 100) / 100;
    expect(s.min).toBe(Math.min(...values));
    expect(s.max).toBe(Math.max(...values));
    expect(s.sum).toBe(values.reduce((a, b) => a + b, 0));
    expect(s.mean).toBe(round2(s.sum / values.length));
    expect(s.median).toBe(round2(quantile(values, 0.5)));
    expect(s.p5).toBe(round2(quantile(values, 0.05)));
    expect(s.p95).toBe(round2(quantile(values, 0.95)));
    expect(histogram.cappedSum(500)).toBe(values.reduce((a, v) => a + Math.min(v, 500), 0));
    expect(histogram.countAbove(2000)).toBe(values.filter((v) => v > 2000).length);
  });

  it('summarises nothing as zeros', () => {
    expect(new IntHistogram().summary()).toEqual({ min: 0, max: 0, mean: 0, median: 0, p5: 0, p95: 0, sum: 0 });
  });

  it('interpolates like numpy for even counts', () => {
    const h = new IntHistogram();
    for (const v of [1, 2, 3, 4]) h.add(v);
    expect(h.summary()).toMatchObject({ median: 2.5, p5: 1.15, p95: 3.85 });
  });
});
