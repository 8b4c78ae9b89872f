import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySettings, readLocalSettings } from '../../dev/host/local-settings.js';
import { nextOccurrence } from '../../dev/host/timer-trigger.js';
import { tempDir } from '../support/temp-dir.js';

const dirWith = (files: Record<string, string>): string => {
  const dir = tempDir('local-settings-');
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
};

describe('local.settings.json for dev/host', () => {
  it('prefers local.settings.json and falls back to the sample', () => {
    const both = dirWith({
      'local.settings.json': JSON.stringify({ Values: { A: 'real' }, Host: { LocalHttpPort: 7075, MasterKey: 'm', FunctionKeys: ['f'] } }),
      'local.settings.sample.json': JSON.stringify({ Values: { A: 'sample' } }),
    });
    expect(readLocalSettings(both)).toMatchObject({ usedSample: false, values: { A: 'real' }, port: 7075, keys: { master: 'm', function: ['f'] } });
    const sampleOnly = dirWith({ 'local.settings.sample.json': JSON.stringify({ Values: { A: 'sample' } }) });
    expect(readLocalSettings(sampleOnly)).toMatchObject({ usedSample: true, values: { A: 'sample' } });
    expect(readLocalSettings(dirWith({}))).toBeUndefined();
  });

  it('reports a bad file or setting in one clear line', () => {
    expect(() => readLocalSettings(dirWith({ 'local.settings.json': '{ nope' }))).toThrow(/^local\.settings\.json is not valid JSON/);
    expect(() => readLocalSettings(dirWith({ 'local.settings.json': JSON.stringify({ Values: { N: 3 } }) }))).toThrow(
      'local.settings.json: Values.N must be a string (got 3).',
    );
    expect(() => readLocalSettings(dirWith({ 'local.settings.json': JSON.stringify({ Host: { LocalHttpPort: 'x' } }) }))).toThrow(/LocalHttpPort/);
  });

  it('does not override variables already set in the environment (like func start)', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'from-env' };
    applySettings({ KEEP: 'from-file', NEW: 'added' }, env);
    expect(env).toEqual({ KEEP: 'from-env', NEW: 'added' });
  });
});

describe('NCRONTAB schedules', () => {
  it('computes the next occurrence of a six-field schedule in UTC', () => {
    expect(nextOccurrence('0 */5 * * * *', new Date('2026-01-01T10:02:30Z')).toISOString()).toBe('2026-01-01T10:05:00.000Z');
    expect(nextOccurrence('30 0 3 * * *', new Date('2026-01-01T10:00:00Z')).toISOString()).toBe('2026-01-02T03:00:30.000Z');
  });

  it('rejects five-field (Unix cron) schedules', () => {
    expect(() => nextOccurrence('*/5 * * * *', new Date())).toThrow(/six fields/);
  });
});
