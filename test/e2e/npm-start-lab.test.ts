import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, waitForLine } from '../support/host-process.js';
import { LAB_TRAINING, NODE, REPO_ROOT } from '../support/paths.js';
import { spawnNpmStart } from '../support/npm-start.js';

describe('npm start defaults: the lab dataset end to end', () => {
  it('`ftpipe drop training_set.jsonl --watch`, as npm start prints it, reaches succeeded in under two minutes; the log says so in one line per event', async () => {
    // Default timings (emulator: 30 s jobs, 5 s deployments; local.settings.sample.json: polls 2-10 s).
    const { child, output } = spawnNpmStart('npm-start-lab-');
    try {
      await waitForLine(child, /Press Ctrl-C to stop/, 30_000, output);
      const [, printed] = /npm run --silent ftpipe -- (drop \.\/my-data\.jsonl --watch --app \S+)/.exec(output()) ?? [];
      const args = printed!.replace('./my-data.jsonl', LAB_TRAINING).split(' ');
      const startLines = output().split('\n').length;
      const started = Date.now();
      const cli = spawn(NODE, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      cli.stderr.resume();
      const code = await exitOf(cli);
      const seconds = (Date.now() - started) / 1000;
      console.log(`npm start lab run via ftpipe drop --watch: exit ${code} in ${seconds.toFixed(1)} s`);
      expect(stdout).toMatch(/run training-set-[0-9a-f-]+ succeeded: .* deployed as training-set-[0-9a-f]{8}-[0-9a-f]{8}\. Try it: ftpipe chat training_set/);
      expect(code).toBe(0);
      expect(seconds).toBeLessThan(120);
      // The host's own output for the whole run: one line per run event, ending with the outcome.
      await waitForLine(child, /SUCCEEDED/, 10_000, output);
      const runLines = output().split('\n').slice(startLines - 1).filter((l) => l.trim() !== '');
      console.log(`npm start output for the run: ${runLines.length} lines\n${runLines.join('\n')}`);
      expect(runLines.length).toBeLessThan(15);
      expect(runLines.at(-1)).toMatch(/run training-set-[0-9a-f-]+ \(training_set\): SUCCEEDED\. Deployment training-set-[0-9a-f]{8}-[0-9a-f]{8}; try it: ftpipe chat training_set$/);
    } finally {
      child.kill('SIGINT');
      await exitOf(child);
    }
  }, 160_000);
});
