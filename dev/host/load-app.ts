import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installFunctionsCore, type FunctionsCoreRegistry } from './functions-core.js';

export interface LoadedApp {
  entry: string;
  registry: FunctionsCoreRegistry;
  /** Set when the app called `app.setup({ enableHttpStream: true })`: where its HTTP proxy listens. */
  httpStreamUri: string | undefined;
}

const loaded = new Map<string, Promise<LoadedApp>>();

/** A project directory means its package.json `main`, as the Functions host resolves it. */
export function resolveEntry(appPath: string): string {
  const absolute = path.resolve(appPath);
  if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) return absolute;
  const pkg = JSON.parse(readFileSync(path.join(absolute, 'package.json'), 'utf8')) as { main?: string };
  if (!pkg.main) throw new Error(`${path.join(absolute, 'package.json')} has no "main" entry to load.`);
  return path.join(absolute, pkg.main);
}

/**
 * Loads the app's entry module with `@azure/functions-core` provided, so every `app.*` call
 * registers with us, then asks the programming model for its capabilities as the worker does at
 * start-up (that is when `@azure/functions` locks `app.setup` and opens its HTTP-stream proxy).
 * Module caches make a second load of the same entry a no-op, so loads are memoised per entry.
 */
export function loadApp(appPath: string): Promise<LoadedApp> {
  const entry = resolveEntry(appPath);
  let pending = loaded.get(entry);
  if (!pending) {
    pending = importApp(entry);
    loaded.set(entry, pending);
    pending.catch(() => loaded.delete(entry));
  }
  return pending;
}

async function importApp(entry: string): Promise<LoadedApp> {
  if (!statSync(entry, { throwIfNoEntry: false })?.isFile()) {
    throw new Error(`The app entry ${entry} does not exist (run \`npm run build\` first?).`);
  }
  const registry = installFunctionsCore();
  if (loaded.size > 1) {
    throw new Error('dev/host loads one app per process; start another process for another app.');
  }
  await import(pathToFileURL(entry).href);
  const model = registry.programmingModel;
  if (!model) {
    throw new Error(`${entry} registered no functions through @azure/functions.`);
  }
  const capabilities = model.getCapabilities ? await model.getCapabilities({}) : {};
  return { entry, registry, httpStreamUri: capabilities['HttpUri'] };
}
