/** `npm run emulator` entry point (dist/dev/aoai-emulator/main.js, built by `npm test`'s pretest). */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../../dist/dev/aoai-emulator/main.js', import.meta.url));

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the URL from the "listening on" line; keeps reading stdout so the pipe stays open. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`the emulator exited without listening; output: ${output}`)));
  });
}

describe('aoai-emulator command line', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the URL once it accepts requests, applies the options, and stops cleanly on SIGTERM', async () => {
    child = run(['--port', '0', '--api-key', 'cli-key', '--job-seconds', '3', '--deploy-seconds', '0.5']);
    const url = await listeningUrl(child);
    const config = (await (await fetch(`${url}/__emulator/config`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ jobSeconds: 3, deploySeconds: 0.5 });
    expect((await fetch(`${url}/openai/v1/files`, { headers: { 'api-key': 'cli-key' } })).status).toBe(200);
    expect((await fetch(`${url}/openai/v1/files`, { headers: { 'api-key': 'other' } })).status).toBe(401);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits 2 with a message for a bad option', async () => {
    child = run(['--port', 'eighty']);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain("option '--port <n>' argument 'eighty' is invalid");
  });
});
