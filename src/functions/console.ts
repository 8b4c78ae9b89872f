/**
 * The web console, served by the app itself (`/api/console/`): a static page and its script,
 * built by `npm run build` into dist/console. The files hold no data and no secret, so they are
 * anonymous; everything the page shows comes from the API under that API's own auth (the page
 * sends the function key the user gives it, or rides on App Service Authentication's sign-in).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console');
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Own scripts and styles only; the API is same-origin.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

/** The files that exist, read once: a request can only ever name one of them (no path walking). */
let files: Promise<Set<string>> | undefined;
function consoleFiles(): Promise<Set<string>> {
  files ??= readdir(CONSOLE_DIR).then((names) => new Set(names), () => new Set<string>());
  return files;
}

export async function serveConsole(request: HttpRequest): Promise<HttpResponseInit> {
  const requested = request.params['path'] ?? '';
  const url = new URL(request.url);
  // Relative asset URLs need the trailing slash: /api/console -> /api/console/.
  if (requested === '' && !url.pathname.endsWith('/')) return { status: 308, headers: { location: `${url.pathname}/${url.search}` } };
  const name = requested === '' ? 'index.html' : requested;
  const available = await consoleFiles();
  if (!available.has(name)) {
    if (available.size === 0) return { status: 503, body: 'The console is not built: run `npm run build`.', headers: { 'content-type': 'text/plain; charset=utf-8' } };
    return { status: 404, body: 'not found', headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }
  const body = await readFile(path.join(CONSOLE_DIR, name));
  return {
    status: 200,
    body,
    headers: {
      'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream',
      'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=300',
      ...SECURITY_HEADERS,
    },
  };
}

app.http('console', { route: 'console/{*path}', methods: ['GET'], authLevel: 'anonymous', handler: serveConsole });
