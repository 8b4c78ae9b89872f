import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';
import { waitFor } from '../../support/wait.js';

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/**
 * `npm start` can end in many ways (Ctrl-C, a crash, the terminal closing, kill -9); Azurite, its
 * child, must not outlive any of them. The hardest case: the parent killed outright.
 */
describe('Azurite started by dev/azurite ends with its parent', () => {
  it('frees its ports when the parent is killed with SIGKILL', async () => {
    const module = pathToFileURL(path.join(REPO_ROOT, 'dist/dev/azurite.js')).href;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', `const a = await (await import(${JSON.stringify(module)})).startAzurite(); console.log(new URL(a.blobEndpoint).port); setInterval(() => {}, 1000);`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    expect(await listening(port)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(async () => ((await listening(port)) ? undefined : true), `Azurite on port ${port} to stop`, 10_000, 100);
  });
});
