import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface HostProcess {
  url: string;
  output: () => string;
  /** Ctrl-C-like stop; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Waits until a child process prints a line matching `ready`; fails with its output if it exits first. */
export function waitForLine(child: ChildProcess, ready: RegExp, timeoutMs: number, output: () => string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${ready}; output:\n${output()}`)), timeoutMs);
    const check = (): void => {
      const match = ready.exec(output());
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(match);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Process exited (${code}) before it was ready; output:\n${output()}`));
    });
    check();
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Runs the built host CLI (dist/dev/host/main.js) in its own process, as a user would. */
export async function startHostProcess(app: string, env: NodeJS.ProcessEnv): Promise<HostProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/dev/host/main.js'), '--app', app, '--port', '0', '--blob-poll-ms', '100'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const output = (): string => text;
  const match = await waitForLine(child, /Host started on (http:\/\/127\.0\.0\.1:\d+)/, 20_000, output);
  return {
    url: match[1]!,
    output,
    stop: async () => {
      child.kill('SIGINT');
      return exitOf(child);
    },
  };
}
