/**
 * `ftpipe` against the local stack, every command, as a user runs it (the built CLI in its own
 * process), plus the HTTP endpoints it and the console stand on: artifacts, retry, models, upload.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliasListing, AliasView } from '../../src/aliases/alias-view.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { LAB_TRAINING, LAB_VALIDATION, NODE, REPO_ROOT } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { validLines } from '../support/validate-text.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('ftpipe-cli-e2e-');
function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}
const labLines = readFileSync(LAB_TRAINING, 'utf8').trim().split('\n');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('ftpipe against the local stack', () => {
  let stack: PipelineStack;
  let env: NodeJS.ProcessEnv;
  /** The cli-lab run the first test promoted (auto: the alias had no champion). */
  let labRunId = '';

  /** The CLI in its own process (async: the stack runs in this one). */
  function ftpipe(args: string[], input?: string): Promise<Result> {
    return new Promise((resolve) => {
      const child = spawn(NODE, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.stdin.end(input ?? '');
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    stack = await startPipelineStack({ emulator: { jobSeconds: 6 } });
    // No --app: FTPIPE_APP_URL, as a user would export it once (the default is npm start's port).
    env = { ...process.env, FTPIPE_APP_URL: stack.host.url };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('drop --watch uploads through the app, shows progress and exits 0 when the run succeeds; runs, run, aliases and chat follow', async () => {
    const dropped = await ftpipe(['drop', LAB_TRAINING, '--validation', LAB_VALIDATION, '--name', 'cli-lab', '--watch', '--interval', '0.5']);
    expect(dropped.stderr).toMatch(/training step \d+\/100 loss \d/);
    expect(dropped.stdout).toContain('uploaded datasets/cli-lab.validation.jsonl, datasets/cli-lab.jsonl');
    expect(dropped.stdout).toMatch(/run cli-lab-[0-9a-f-]+ succeeded: .* deployed as cli-lab-[0-9a-f]{8}-[0-9a-f]{8}\. Try it: ftpipe chat cli-lab/);
    expect(dropped.status).toBe(0);
    const runId = /run (cli-lab-[0-9a-f-]+) succeeded/.exec(dropped.stdout)![1]!;

    const runs = await ftpipe(['runs', '--dataset', 'cli-lab']);
    expect(runs.status).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`^RUN +DATASET +STATUS +PROGRESS +CREATED\\n${runId} +cli-lab +succeeded +step 100/100 +\\d{4}-`));
    const json = await ftpipe(['runs', '--json']);
    expect((JSON.parse(json.stdout) as Array<{ runId: string }>).map((r) => r.runId)).toContain(runId);

    const shown = await ftpipe(['run', runId]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`${runId}  cli-lab  SUCCEEDED`);
    expect(shown.stdout).toContain('validation: valid, 0 error(s)');
    expect(shown.stdout).toContain('deployment: cli-lab');
    expect(shown.stdout).toContain(`/api/runs/${runId}/artifacts/loss.svg`);

    // The alias API's real shape: current deployment, model, run, since; no previous yet; not used yet.
    const aliases = await ftpipe(['aliases']);
    expect(aliases.status).toBe(0);
    expect(aliases.stdout).toMatch(/^ALIAS +DEPLOYMENT +MODEL +RUN +SINCE +PREVIOUS +LAST USED +HOSTING$/m);
    expect(aliases.stdout).toMatch(new RegExp(`^cli-lab +cli-lab-[0-9a-f]{8}-[0-9a-f]{8} +gpt-4o-mini-2024-07-18\\.ft-[0-9a-f-]+ +${runId} +\\d{4}-\\S+ +– +never +\\d+\\.\\d h`, 'm'));
    labRunId = runId;

    // Piped lines are messages; each answer streams back, and the conversation keeps its history.
    const chat = await ftpipe(['chat', 'cli-lab'], 'Who discovered Antarctica?\nAnd the moon?\n');
    expect(chat.status).toBe(0);
    const answers = chat.stdout.trim().split('\n');
    expect(answers).toHaveLength(2);
    const openai = new OpenAI({ baseURL: `${stack.host.url}/api/v1`, apiKey: 'unused', maxRetries: 0 });
    const direct = await openai.chat.completions.create({ model: 'cli-lab', messages: [{ role: 'user', content: 'Who discovered Antarctica?' }] });
    expect(answers[0]).toBe(direct.choices[0]?.message.content);

    const unknown = await ftpipe(['chat', 'no-such-alias'], 'hi\n');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^ftpipe: 404 .*no-such-alias/);
  }, 60_000);

  it('promote and rollback switch the alias and say what changed; a refused one exits 7, a missing --run 2', async () => {
    expect(labRunId).not.toBe('');
    const aliasNow = async (): Promise<AliasView> => ((await (await fetch(`${stack.host.url}/api/aliases`)).json()) as AliasListing).aliases.find((a) => a.alias === 'cli-lab')!;

    const nothing = await ftpipe(['rollback', 'cli-lab']);
    expect(nothing.status).toBe(7);
    expect(nothing.stderr).toMatch(/^ftpipe: refused \(no_previous\): .*'cli-lab' has no previous deployment/);
    const same = await ftpipe(['promote', 'cli-lab', '--run', labRunId]);
    expect(same.status).toBe(7);
    expect(same.stderr).toContain('refused (already_current)');
    expect((await ftpipe(['promote', 'cli-lab', '--run', 'no-such-run'])).status).toBe(7);
    const noRun = await ftpipe(['promote', 'cli-lab']);
    expect(noRun.status).toBe(2);
    expect(noRun.stderr).toContain("required option '--run <runId>' not specified");
    expect((await ftpipe(['rollback', 'no-such-alias'])).status).toBe(7);

    // A second run in manual mode keeps its deployment without taking the alias: a person promotes it.
    const manual = file('cli-lab-v2.json', JSON.stringify({ promotion: { mode: 'manual' } }));
    const dropped = await ftpipe(['drop', file('cli-lab-v2.jsonl', [...labLines, labLines[3]].join('\n')), '--name', 'cli-lab', '--options', manual, '--watch', '--interval', '0.5']);
    expect(dropped.status).toBe(0);
    const second = /run (cli-lab-[0-9a-f-]+) succeeded/.exec(dropped.stdout)![1]!;
    expect(second).not.toBe(labRunId);
    const before = await aliasNow();
    expect(before.current.runId).toBe(labRunId);

    const promoted = await ftpipe(['promote', 'cli-lab', '--run', second]);
    expect(promoted.status).toBe(0);
    const after = await aliasNow();
    expect(after.current.runId).toBe(second);
    expect(after.previous?.deployment).toBe(before.current.deployment);
    expect(promoted.stdout).toBe(
      `cli-lab: promoted run ${second}; now ${after.current.deployment} (${after.current.model})\n` +
        `  was ${before.current.deployment} (run ${labRunId}), kept until ${after.previous!.deleteAfter}: ftpipe rollback cli-lab switches back\n`,
    );
    expect((await ftpipe(['aliases'])).stdout).toMatch(new RegExp(`^cli-lab +${after.current.deployment} +\\S+ +${second} +\\S+ +${before.current.deployment} \\(until `, 'm'));

    const rolledBack = await ftpipe(['rollback', 'cli-lab']);
    expect(rolledBack.status).toBe(0);
    const back = await aliasNow();
    expect(back.current.runId).toBe(labRunId);
    expect(back.previous?.runId).toBe(second);
    expect(rolledBack.stdout).toContain(`cli-lab: rolled back to run ${labRunId}; now ${before.current.deployment} (${before.current.model})`);
    expect(rolledBack.stdout).toContain(`was ${after.current.deployment} (run ${second}), kept until ${back.previous!.deleteAfter}`);

    // Each change is recorded on the run it put live, as the pipeline's notifications are.
    const notes = async (runId: string): Promise<string[]> => ((JSON.parse((await ftpipe(['run', runId, '--json'])).stdout) as RunRecord).notifications ?? []).map((n) => n.type);
    expect(await notes(second)).toContain('alias.promoted');
    expect(await notes(labRunId)).toContain('alias.rolled_back');
  }, 60_000);

  it('a rejected drop exits 1 and `ftpipe run` lists its findings by file, line, code and field', async () => {
    const lines = validLines(10);
    lines[2] = '{"messages": [{"role": "bot", "content": "hi"}, {"role": "assistant", "content": "x"}]}';
    const dropped = await ftpipe(['drop', file('cli-bad.jsonl', lines.join('\n')), '--watch', '--interval', '0.3']);
    expect(dropped.stdout).toMatch(/run cli-bad-[0-9a-f-]+ rejected: 1 validation error\(s\)\. Details: ftpipe run cli-bad-/);
    expect(dropped.status).toBe(1);
    const runId = /run (cli-bad-[0-9a-f-]+) rejected/.exec(dropped.stdout)![1]!;
    const shown = await ftpipe(['run', runId]);
    expect(shown.stdout).toContain(`${runId}  cli-bad  REJECTED`);
    expect(shown.stdout).toContain('  training:3  unrecognized_role  messages[0].role  role "bot" is not one of');
    // The same watch exit status for a run that ended earlier.
    expect((await ftpipe(['watch', runId])).status).toBe(1);
  });

  it('a bad options file is refused before anything is uploaded', async () => {
    const options = file('cli-opts.json', JSON.stringify({ hyperparameters: { n_epoch: 2 } }));
    const result = await ftpipe(['drop', file('cli-opts.jsonl', labLines.join('\n')), '--options', options]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${options}: hyperparameters.n_epoch:`);
    expect(await stack.datasets.getBlobClient('cli-opts.jsonl').exists()).toBe(false);
  });

  it('cancel makes watch exit 4; retry --watch starts attempt 2 and exits 0; watch --timeout exits 6 while a run goes on', async () => {
    await stack.configureEmulator({ jobSeconds: 60 });
    const dropped = await ftpipe(['drop', file('cli-cancel.jsonl', [...labLines, labLines[1]].join('\n'))]);
    expect(dropped.status).toBe(0);
    const runId = /run (cli-cancel-[0-9a-f-]+)/.exec(dropped.stdout)![1]!;
    await stack.untilRun('cli-cancel', ['training'], 20_000);
    const timedOut = await ftpipe(['watch', runId, '--timeout', '0.5', '--interval', '0.2']);
    expect(timedOut.status).toBe(6);
    expect(timedOut.stderr).toContain(`run ${runId} is still training`);

    const cancelled = await ftpipe(['cancel', runId]);
    expect(cancelled.status).toBe(0);
    expect(cancelled.stdout).toContain(`cancel requested for run ${runId}`);
    const watched = await ftpipe(['watch', runId, '--interval', '0.3']);
    expect(watched.stdout).toContain(`run ${runId} cancelled. Start it again: ftpipe retry ${runId}`);
    expect(watched.status).toBe(4);
    expect((await ftpipe(['cancel', runId])).status).toBe(2);

    await stack.configureEmulator({ jobSeconds: 6 });
    const retried = await ftpipe(['retry', runId, '--watch', '--interval', '0.5']);
    expect(retried.stdout).toContain(`run ${runId}: attempt 2 started`);
    expect(retried.stdout).toContain(`run ${runId} succeeded`);
    expect(retried.status).toBe(0);
    const again = await ftpipe(['retry', runId]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`run '${runId}' is succeeded; only a failed or cancelled run can be retried`);
  }, 60_000);

  it('a failed fine-tuning job makes watch exit 3 with the service error', async () => {
    await stack.configureEmulator({ failNextJob: true });
    const result = await ftpipe(['drop', file('cli-fail.jsonl', [...labLines, labLines[2]].join('\n')), '--watch', '--interval', '0.5']);
    expect(result.stdout).toMatch(/run cli-fail-[0-9a-f-]+ failed: internalFailure: .*injected/);
    expect(result.status).toBe(3);
  }, 40_000);

  it('says what is wrong when the app cannot be reached or the arguments are bad', async () => {
    const unreachable = await ftpipe(['runs', '--app', 'http://127.0.0.1:9']);
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr).toMatch(/^ftpipe: cannot reach the app at http:\/\/127\.0\.0\.1:9 .*--app <url>/);
    const missing = await ftpipe(['run', 'no-such-run']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("404 no run 'no-such-run'");
    expect((await ftpipe(['drop', path.join(dir, 'absent.jsonl')])).stderr).toContain("cannot read training file");
  });
});
