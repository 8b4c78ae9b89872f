import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Runs `npm start` (dist/dev/start.js) on free ports everywhere, with its own Azurite folder and
 * the emulator (not a real Azure OpenAI), so a test never collides with a developer's `npm start`.
 */
export function spawnNpmStart(prefix: string, reuseDir?: string): { child: ChildProcess; output: () => string; azuriteDir: string } {
  // Reusing a folder is a restart: Azurite's data and the emulator's state are both in it.
  const azuriteDir = reuseDir ?? tempDir(prefix);
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'dist/dev/start.js'), '--port', '0', '--blob-port', '0', '--queue-port', '0', '--table-port', '0', '--emulator-port', '0', '--azurite-location', azuriteDir],
    { cwd: REPO_ROOT, env: { ...process.env, AZURE_OPENAI_ENDPOINT: '', ARM_ENDPOINT: '', AZURE_OPENAI_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { child, output: () => text, azuriteDir };
}
