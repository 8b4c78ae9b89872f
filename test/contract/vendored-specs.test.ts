/**
 * The API descriptions under test/fixtures/specs are test data only if they are Azure's, unchanged:
 * every file SOURCES.md lists is there with the sha256 it records, and nothing else is. (Kept in
 * the repository, like the lab datasets, so the contract tests run from any checkout.)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPECS_ROOT } from './descriptions.js';

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

describe('vendored Azure API descriptions', () => {
  const sources = readFileSync(path.join(SPECS_ROOT, 'SOURCES.md'), 'utf8');
  const listed = [...sources.matchAll(/^\| (specification\/\S+) \| [0-9a-f]{40} \| \d+ \| (\d+) \| ([0-9a-f]{64}) \|$/gm)].map((m) => ({ file: m[1]!, bytes: Number(m[2]), sha256: m[3]! }));

  it('holds exactly the files SOURCES.md lists, byte for byte', () => {
    expect(listed.length).toBeGreaterThan(30);
    for (const { file, bytes, sha256 } of listed) {
      const content = readFileSync(path.join(SPECS_ROOT, file));
      expect({ file, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') }).toEqual({ file, bytes, sha256 });
    }
    expect(filesUnder(SPECS_ROOT).filter((f) => f !== 'SOURCES.md').sort()).toEqual(listed.map((l) => l.file).sort());
  });
});
