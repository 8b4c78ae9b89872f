import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_TRAINING, LAB_VALIDATION, METHODS_DIR, NODE, REPO_ROOT } from '../support/paths.js';
import { validLines } from '../support/validate-text.js';
import { tempDir } from '../support/temp-dir.js';

/** Runs the built CLI (npm test builds first) the way `npm run ftpipe -- …` does. */
function ftpipe(...args: string[]) {
  const result = spawnSync(NODE, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = tempDir('ftpipe-cli-');
function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('ftpipe validate', () => {
  it('exits 0 for the lab datasets and prints a readable report', () => {
    const r = ftpipe('validate', LAB_TRAINING, '--validation', LAB_VALIDATION);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('# Dataset validation: VALID');
    expect(r.stdout).toMatch(/## training: .*training_set\.jsonl/);
    expect(r.stdout).toContain('| total tokens |');
    expect(r.stderr).toBe('');
  });

  it('--json prints exactly one JSON document in the documented shape', () => {
    const r = ftpipe('validate', LAB_TRAINING, '--validation', LAB_VALIDATION, '--json');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ valid: true, model: 'gpt-4o-mini-2024-07-18', encoding: 'o200k_base', estimate: { epochs: 10 } });
    expect(report.files.map((f: { role: string }) => f.role)).toEqual(['training', 'validation']);
    expect(report.files[0]).toMatchObject({ path: LAB_TRAINING, examples: 10, errors: [], warnings: [], tooLong: 0 });
    expect(report.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(report.files[0].tokens.total).sort()).toEqual(['max', 'mean', 'median', 'min', 'p5', 'p95', 'sum']);
  });

  it('exits 1 for an invalid file, naming code and line', () => {
    const lines = validLines(10);
    lines[2] = '{"messages": [{"role": "bot", "content": "hi"}, {"role": "assistant", "content": "x"}]}';
    const r = ftpipe('validate', file('bad.jsonl', lines.join('\n')), '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.valid).toBe(false);
    expect(report.files[0].errors).toEqual([expect.objectContaining({ line: 3, code: 'unrecognized_role', field: 'messages[0].role' })]);
  });

  it('--max-errors caps the list and the report says how many more', () => {
    const r = ftpipe('validate', file('broken.jsonl', Array(12).fill('{oops').join('\n')), '--max-errors', '3');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('### Errors (12)');
    expect(r.stdout).toContain('…and 9 more not listed.');
  });

  it('--model switches tokenizer and limit', () => {
    const r = ftpipe('validate', LAB_TRAINING, '--model', 'gpt-35-turbo-0613', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ encoding: 'cl100k_base', maxExampleTokens: 4096 });
  });

  it('--method and --grader validate a reinforcement dataset; the detected method is said when --method is absent', () => {
    const base = ['validate', path.join(METHODS_DIR, 'reinforcement.jsonl'), '--validation', path.join(METHODS_DIR, 'reinforcement.validation.jsonl'), '--model', 'o4-mini'];
    const r = ftpipe(...base, '--method', 'reinforcement', '--grader', path.join(METHODS_DIR, 'reinforcement.grader.json'));
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('method **reinforcement**.');
    expect(r.stdout).toContain('## grader: `');
    expect(r.stdout).toContain('| prompt tokens |');
    const dpo = ftpipe('validate', path.join(METHODS_DIR, 'preference.jsonl'), '--model', 'gpt-4.1-mini');
    expect(dpo.status).toBe(0);
    expect(dpo.stdout).toContain('method **dpo** (detected)');
    expect(dpo.stdout).toMatch(/> method not given: validated as dpo/);
    const noGrader = ftpipe(...base, '--method', 'reinforcement');
    expect(noGrader.status).toBe(1);
    expect(noGrader.stdout).toMatch(/\| – \| `grader_missing` \|/);
    const bad = ftpipe(...base, '--method', 'sft');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/argument 'sft' is invalid\. Allowed choices are supervised, dpo, reinforcement/);
  });

  it('o4-mini with supervised data exits 1 naming reinforcement', () => {
    const r = ftpipe('validate', LAB_TRAINING, '--model', 'o4-mini');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/`unsupported_method` \|  \| o4-mini-2025-04-16 does not support supervised fine-tuning \(it supports reinforcement\)/);
  });

  it.each([
    [['validate', LAB_TRAINING, '--grader', '/no/such.grader.json'], /^ftpipe: cannot read grader file '\/no\/such\.grader\.json': no such file\n$/],
    [['validate', '/no/such/file.jsonl'], /^ftpipe: cannot read training file '\/no\/such\/file\.jsonl': no such file\n$/],
    [['validate', LAB_TRAINING, '--validation', '/no/such.jsonl'], /^ftpipe: cannot read validation file '\/no\/such\.jsonl': no such file\n$/],
    [['validate', dir], /^ftpipe: cannot read training file '.*': not a regular file\n$/],
    [['validate', LAB_TRAINING, '--model', 'gpt-9'], /^ftpipe: unknown base model 'gpt-9'; known models: /],
    [['validate'], /^ftpipe: error: missing required argument 'training'\n$/],
    [['validate', LAB_TRAINING, '--max-errors', 'lots'], /^ftpipe: error: option '--max-errors <n>' argument 'lots' is invalid/],
    [['frobnicate'], /^ftpipe: error: unknown command 'frobnicate'/],
  ])('exits 2 with one clear line for %j', (args, stderr) => {
    const r = ftpipe(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('--help exits 0', () => {
    const r = ftpipe('validate', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--validation <file>');
  });
});
