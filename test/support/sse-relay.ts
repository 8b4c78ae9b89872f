/**
 * A pass-through HTTP relay in front of the emulator, for what the emulator does not do on its own:
 * hold a server-sent-events answer after its first event until the test releases it (to prove the
 * app streams rather than buffers), or cut the connection after the first events (an upstream that
 * dies mid-stream). Everything else is forwarded byte for byte.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RelayMode = { kind: 'pass' } | { kind: 'hold'; release: Promise<void> } | { kind: 'cut'; afterEvents: number };

export interface RunningRelay {
  url: string;
  /** How the next SSE answers are relayed; set by the test. */
  mode: RelayMode;
  close(): Promise<void>;
}

export async function startRelay(target: string): Promise<RunningRelay> {
  const upstream = new URL(target);
  const relay: RunningRelay = { url: '', mode: { kind: 'pass' }, close: () => Promise.resolve() };
  const server: Server = http.createServer((req, res) => {
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const mode = relay.mode;
        const isEvents = (answer.headers['content-type'] ?? '').startsWith('text/event-stream');
        if (!isEvents || mode.kind === 'pass') {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        void relayEvents(answer, res, mode);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return relay;
}

async function relayEvents(answer: http.IncomingMessage, res: http.ServerResponse, mode: Exclude<RelayMode, { kind: 'pass' }>): Promise<void> {
  let text = '';
  for await (const chunk of answer) text += (chunk as Buffer).toString('utf8');
  const events = text.split('\n\n').filter((e) => e !== '').map((e) => `${e}\n\n`);
  const headers = { ...answer.headers };
  delete headers['content-length'];
  res.writeHead(answer.statusCode ?? 200, headers);
  if (mode.kind === 'cut') {
    for (const event of events.slice(0, mode.afterEvents)) res.write(event);
    // Give the events time to leave before the connection is torn down mid-answer.
    setTimeout(() => res.destroy(), 50);
    return;
  }
  res.write(events[0] ?? '');
  await mode.release;
  for (const event of events.slice(1)) res.write(event);
  res.end();
}
