import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { isAuthorized, presentedKey, type HostKeys } from './auth.js';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from './core-types.js';
import type { RegisteredFunction } from './functions-core.js';
import { Invoker, triggerBindingOf } from './invoker.js';
import { byteLimit, readBody } from './request-limits.js';
import { byPrecedence, compileRoute, type CompiledRoute } from './routes.js';

interface HttpRoute {
  functionName: string;
  route: CompiledRoute;
  methods: string[] | undefined;
  authLevel: string | undefined;
}

export interface HttpTriggerOptions {
  routePrefix: string;
  keys: HostKeys;
  /** The app's HTTP-stream proxy (`app.setup({ enableHttpStream: true })`), if it opened one. */
  httpStreamUri: string | undefined;
  /** That proxy's server object, when the app runs in this process (see #handOver). */
  httpStreamServer?: http.Server | undefined;
}

/** Collects the app's HTTP triggers and serves them: routing, methods, auth, then invocation. */
export class HttpTriggers {
  readonly #invoker: Invoker;
  readonly #options: HttpTriggerOptions;
  readonly routes: HttpRoute[];

  constructor(invoker: Invoker, functions: Iterable<RegisteredFunction>, options: HttpTriggerOptions) {
    this.#invoker = invoker;
    this.#options = options;
    this.routes = [];
    for (const fn of functions) {
      const [, trigger] = triggerBindingOf(fn);
      if (trigger.type?.toLowerCase() !== 'httptrigger') continue;
      const template = typeof trigger['route'] === 'string' ? trigger['route'] : fn.metadata.name;
      const methods = Array.isArray(trigger['methods']) ? (trigger['methods'] as string[]).map((m) => m.toUpperCase()) : undefined;
      this.routes.push({
        functionName: fn.metadata.name,
        route: compileRoute(template),
        methods: methods?.length ? methods : undefined,
        authLevel: typeof trigger['authLevel'] === 'string' ? trigger['authLevel'] : undefined,
      });
    }
    this.routes.sort((a, b) => byPrecedence(a.route, b.route));
  }

  /** The public URL path of a route, e.g. `/api/runs/{runId}`. */
  pathOf(route: HttpRoute): string {
    return `/${[this.#options.routePrefix, route.route.template.replace(/^\/+/, '')].filter(Boolean).join('/')}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const prefix = this.#options.routePrefix ? `/${this.#options.routePrefix}` : '';
    const lowerPath = url.pathname.toLowerCase();
    if (prefix && lowerPath !== prefix && !lowerPath.startsWith(`${prefix}/`)) return false;
    const rest = url.pathname.slice(prefix.length);
    for (const candidate of this.routes) {
      const params = candidate.route.match(rest);
      if (!params) continue;
      // ASP.NET routing in the real host: a route whose methods exclude this one does not match,
      // so a method mismatch ends in 404 like any unknown route.
      if (candidate.methods && !candidate.methods.includes(req.method ?? 'GET')) continue;
      if (!isAuthorized(candidate.authLevel, this.#options.keys, presentedKey(req, url))) {
        res.writeHead(401).end();
        return true;
      }
      await this.#invoke(candidate, params, req, res, url);
      return true;
    }
    return false;
  }

  async #invoke(route: HttpRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers = flattenHeaders(req);
    const triggerMetadata: Record<string, RpcTypedData> = {
      Headers: { json: JSON.stringify(headers) },
      Query: { json: JSON.stringify(Object.fromEntries(url.searchParams)) },
    };
    for (const [name, value] of Object.entries(params)) triggerMetadata[name] = { string: value };
    const common = {
      functionName: route.functionName,
      reason: `This function was programmatically called via the host APIs.`,
      triggerMetadata,
      bindingData: { ...Object.fromEntries(url.searchParams), ...params },
    };
    if (this.#options.httpStreamUri) {
      await this.#invokeStreaming(common, req, res, url);
      return;
    }
    const body = await readBody(req);
    const rpcRequest: RpcHttpData = {
      method: req.method ?? 'GET',
      url: url.href,
      headers,
      query: Object.fromEntries(url.searchParams),
      params,
      body: { bytes: body },
    };
    try {
      const result = await this.#invoker.invoke({ ...common, trigger: { http: rpcRequest } });
      const response = [...result.outputs.values()].find(isRpcHttp) ?? (isRpcHttp(result.returnValue) ? result.returnValue : undefined);
      writeRpcResponse(res, response);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  /**
   * Streaming mode, as the real host does it: the request itself is forwarded to the app's own
   * HTTP proxy (tagged with the invocation id), the invocation is started over "RPC" in parallel,
   * and whatever `@azure/functions` writes back on the proxy response is piped to the caller.
   */
  async #invokeStreaming(
    common: { functionName: string; reason: string; triggerMetadata: Record<string, RpcTypedData>; bindingData: Record<string, unknown> },
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const invocationId = randomUUID();
    const server = this.#options.httpStreamServer;
    // A chunked body has no declared length to check up front, so it takes the counted HTTP path.
    if (server && req.headers['transfer-encoding'] === undefined) {
      await this.#handOver(server, common, invocationId, req, res, url);
      return;
    }
    const proxy = new URL(this.#options.httpStreamUri!);
    const forwarded = http.request({
      host: '127.0.0.1',
      port: proxy.port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: {
        ...req.headers,
        'x-ms-invocation-id': invocationId,
        'x-forwarded-host': req.headers.host ?? url.host,
        'x-forwarded-proto': 'http',
      },
    });
    const proxied = new Promise<void>((resolve) => {
      forwarded.on('response', (proxyRes) => {
        const headers = { ...proxyRes.headers };
        delete headers['x-ms-invocation-id'];
        res.writeHead(proxyRes.statusCode ?? 200, headers);
        proxyRes.pipe(res);
        proxyRes.on('end', resolve);
        proxyRes.on('error', () => resolve());
      });
      forwarded.on('error', () => resolve());
    });
    // A chunked body has no declared length to refuse up front: count it on the way through.
    req.pipe(byteLimit()).on('error', () => forwarded.destroy()).pipe(forwarded);
    // A caller that leaves mid-request must not hold the handler until the app's proxy times out.
    res.on('close', () => {
      if (!res.writableFinished) forwarded.destroy();
    });
    try {
      const result = await this.#invoker.invoke({ ...common, invocationId, trigger: { http: {} } });
      if (result.handlerResult === undefined || result.handlerResult === null) {
        // The function returned nothing, so the library never answered its proxy request.
        forwarded.destroy();
        res.writeHead(204).end();
        return;
      }
      await proxied;
    } catch {
      forwarded.destroy();
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  /**
   * The in-process form of the streaming hand-off. The real host forwards the caller's request to
   * the worker's HTTP proxy over loopback HTTP because the worker is another process; dev/host
   * runs the app in its own process, so it gives the caller's request and response to the
   * library's proxy listener directly, tagged exactly as the forwarded request would be
   * (`x-ms-invocation-id`, `x-forwarded-host`, `x-forwarded-proto`). `@azure/functions` then reads
   * the body from, and writes status, headers and bytes to, the caller's connection itself — the
   * same code and header filtering as over the hop, without a second HTTP parse and write per
   * request (measured: the hop was about half the host's time per chat request). The body limit
   * holds: the declared length was checked before routing and Node reads no more than it.
   */
  async #handOver(
    server: http.Server,
    common: { functionName: string; reason: string; triggerMetadata: Record<string, RpcTypedData>; bindingData: Record<string, unknown> },
    invocationId: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    req.headers['x-ms-invocation-id'] = invocationId;
    req.headers['x-forwarded-host'] = req.headers.host ?? url.host;
    req.headers['x-forwarded-proto'] = 'http';
    // The library tags its proxy response with the invocation id for the host; the host does not
    // pass that header on to the caller, so it is not set on the caller's response.
    const setHeader = res.setHeader;
    res.setHeader = function (this: ServerResponse, name: string, value: number | string | readonly string[]) {
      return name.toLowerCase() === 'x-ms-invocation-id' ? this : setHeader.call(this, name, value);
    } as typeof res.setHeader;
    server.emit('request', req, res);
    try {
      const result = await this.#invoker.invoke({ ...common, invocationId, trigger: { http: {} } });
      // The function returned nothing, so the library never answered.
      if ((result.handlerResult === undefined || result.handlerResult === null) && !res.headersSent) res.writeHead(204).end();
      else if (!res.writableEnded) await new Promise<void>((resolve) => res.once('close', resolve).once('finish', resolve));
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function isRpcHttp(value: unknown): value is RpcHttpData {
  return typeof value === 'object' && value !== null && 'statusCode' in value;
}

function writeRpcResponse(res: ServerResponse, response: RpcHttpData | undefined): void {
  if (!response) {
    res.writeHead(204).end();
    return;
  }
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  const cookies = (response.cookies ?? []).map(serializeCookie);
  if (cookies.length) res.setHeader('set-cookie', cookies);
  const body = response.body?.bytes ?? (response.body?.string !== undefined && response.body?.string !== null ? Buffer.from(response.body.string) : undefined);
  res.writeHead(Number(response.statusCode ?? 200));
  res.end(body ? Buffer.from(body) : undefined);
}

function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value ?? '')}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  if (cookie.expires?.value?.seconds) parts.push(`Expires=${new Date(cookie.expires.value.seconds * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined && cookie.maxAge?.value !== null) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite && cookie.sameSite !== 'none') parts.push(`SameSite=${cookie.sameSite === 'explicitNone' ? 'None' : cookie.sameSite}`);
  return parts.join('; ');
}
