import { describe, expect, it } from 'vitest';
import { ExampleSet, falseDuplicateBound, fingerprintOf, DEFAULT_MAX_SLOTS } from '../../src/validation/example-set.js';

const key = (i: number): [number, number] => fingerprintOf(`example ${i}`);

describe('ExampleSet', () => {
  it('finds every duplicate with its first line, across many growths', () => {
    const set = new ExampleSet(1 << 20, 16);
    for (let i = 0; i < 200_000; i++) {
      const [hi, lo] = key(i);
      expect(set.lineOf(hi, lo)).toBe(0);
      set.add(hi, lo, i + 1);
    }
    expect(set.size).toBe(200_000);
    for (let i = 0; i < 200_000; i += 7) expect(set.lineOf(...key(i))).toBe(i + 1);
    for (let i = 200_000; i < 201_000; i++) expect(set.lineOf(...key(i))).toBe(0);
  });

  it('when full, remembers no more but still checks against what it holds, and counts what it did not remember', () => {
    const set = new ExampleSet(16, 16);
    expect(set.capacity).toBe(14);
    for (let i = 0; i < 20; i++) set.add(...key(i), i + 1);
    expect(set.size).toBe(14);
    expect(set.notRemembered).toBe(6);
    expect(set.lineOf(...key(3))).toBe(4);
    expect(set.lineOf(...key(19))).toBe(0);
  });

  it('has room for 7 million distinct examples in 96 MiB, and states its false-duplicate bound', () => {
    expect(new ExampleSet().capacity).toBe(Math.floor(DEFAULT_MAX_SLOTS * 7 / 8));
    expect(DEFAULT_MAX_SLOTS * 12).toBe(96 * 1024 * 1024);
    expect(new ExampleSet().capacity).toBeGreaterThan(7_000_000);
    expect(falseDuplicateBound(5_000_000)).toBeLessThan(1e-6);
    expect(falseDuplicateBound(0)).toBe(0);
  });
});
