import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { globbySync } from 'globby';
import { installFunctionsCore, type FunctionsCoreRegistry } from './functions-core.js';

export interface LoadedApp {
  /** The entry point files loaded, in load order. */
  entries: string[];
  registry: FunctionsCoreRegistry;
  /** Set when the app called `app.setup({ enableHttpStream: true })`: where its HTTP proxy listens. */
  httpStreamUri: string | undefined;
  /**
   * The app's HTTP-stream proxy server itself (same process), so the host can hand it a request
   * without a second loopback HTTP round trip; undefined when streaming is off.
   */
  httpStreamServer: http.Server | undefined;
  /** The worker's warning when an entry point failed to load (the files after it were not loaded). */
  loadWarning: string | undefined;
}

export interface AppEntries {
  /** The project directory (package.json's), or the entry file's directory. */
  dir: string;
  /** package.json `main` as written (a path or a glob), or the entry file given. */
  pattern: string;
  /** Matching files, absolute, in the order the worker loads them. */
  files: string[];
}

/**
 * The entry points, by the Node.js worker's rules (azure-functions-nodejs-worker, src/startApp.ts
 * loadEntryPointFile): package.json `main` is a glob matched with globby relative to the app
 * directory, and every matching file is loaded in turn; zero matches is "Found zero files matching
 * the supplied pattern". A file path given directly is loaded alone.
 */
export function resolveEntries(appPath: string): AppEntries {
  const absolute = path.resolve(appPath);
  if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) return { dir: path.dirname(absolute), pattern: absolute, files: [absolute] };
  const pkg = JSON.parse(readFileSync(path.join(absolute, 'package.json'), 'utf8')) as { main?: string };
  if (!pkg.main) throw new Error(`${path.join(absolute, 'package.json')} has no "main" entry to load.`);
  const files = globbySync(pkg.main, { cwd: absolute }).map((file) => path.join(absolute, file));
  return { dir: absolute, pattern: pkg.main, files };
}

/** The first entry point, or (when nothing matches) the path `main` names, for "is it built?" checks. */
export function resolveEntry(appPath: string): string {
  const { dir, pattern, files } = resolveEntries(appPath);
  return files[0] ?? path.resolve(dir, pattern);
}

const loaded = new Map<string, Promise<LoadedApp>>();

/**
 * Loads the app's entry points with `@azure/functions-core` provided, so every `app.*` call
 * registers with us, then asks the programming model for its capabilities as the worker does at
 * start-up (that is when `@azure/functions` locks `app.setup` and opens its HTTP-stream proxy).
 * Module caches make a second load of the same app a no-op, so loads are memoised per app.
 */
export function loadApp(appPath: string): Promise<LoadedApp> {
  const entries = resolveEntries(appPath);
  const key = `${entries.dir}|${entries.pattern}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = importApp(entries);
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending;
}

async function importApp({ dir, pattern, files }: AppEntries): Promise<LoadedApp> {
  if (files.length === 0) {
    throw new Error(`The app entry ${path.resolve(dir, pattern)} does not exist: found zero files matching the supplied pattern (run \`npm run build\` first?).`);
  }
  const registry = installFunctionsCore();
  if (loaded.size > 1) {
    throw new Error('dev/host loads one app per process; start another process for another app.');
  }
  let loadWarning: string | undefined;
  for (const file of files) {
    try {
      // import() loads .mjs, .cjs and .js (by package.json "type") as the worker's loadScriptFile does.
      await import(pathToFileURL(file).href);
    } catch (error) {
      // The worker logs this and stops loading; functions registered so far still run.
      loadWarning = `Worker was unable to load entry point "${pattern}": ${(error as Error)?.message ?? String(error)}`;
      break;
    }
  }
  const model = registry.programmingModel;
  if (!model || registry.functions.size === 0) {
    throw new Error(loadWarning ?? `${pattern} registered no functions through @azure/functions.`);
  }
  // @azure/functions opens its HTTP-stream proxy with `http.createServer()` inside getCapabilities;
  // noting the server it creates (the library requires the same node:http module object) lets the
  // host pass a request to the library's own 'request' listener in-process. Restored at once.
  const createServer = http.createServer;
  let httpStreamServer: http.Server | undefined;
  http.createServer = ((...args: Parameters<typeof http.createServer>) => (httpStreamServer = createServer(...args))) as typeof http.createServer;
  let capabilities: Record<string, string>;
  try {
    capabilities = model.getCapabilities ? await model.getCapabilities({}) : {};
  } finally {
    http.createServer = createServer;
  }
  const httpStreamUri = capabilities['HttpUri'];
  return { entries: files, registry, httpStreamUri, httpStreamServer: httpStreamUri ? httpStreamServer : undefined, loadWarning };
}
