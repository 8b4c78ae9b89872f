/**
 * A chat playground against any alias or deployment the app serves (GET /api/v1/models), streaming
 * the answer token by token from POST /api/v1/chat/completions (server-sent events).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiUrl, authHeaders } from './api.js';

interface Model {
  id: string;
  kind?: string;
  model?: string;
}
interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export function ChatPage() {
  const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('model') ?? '';
  const [models, setModels] = useState<Model[]>();
  const [model, setModel] = useState(wanted);
  const [system, setSystem] = useState('');
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState('');
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string>();
  const abort = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    api<{ data: Model[] }>('/v1/models')
      .then((list) => {
        setModels(list.data);
        if (!wanted && list.data[0]) setModel(list.data[0].id);
      })
      .catch((e: Error) => setError(e.message));
    return () => abort.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    const text = input.trim();
    if (!text || !model || streaming) return;
    const history: Message[] = [...messages, { role: 'user', content: text }];
    setMessages([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setError(undefined);
    setStreaming(true);
    abort.current = new AbortController();
    try {
      const body = { model, stream: true, messages: [...(system ? [{ role: 'system', content: system }] : []), ...history] };
      const response = await fetch(apiUrl('/v1/chat/completions'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders() },
        body: JSON.stringify(body),
        signal: abort.current.signal,
      });
      if (!response.ok || !response.body) {
        const problem = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
        throw new Error(`${response.status}: ${problem.error?.message ?? response.statusText}`);
      }
      let answer = '';
      for await (const delta of contentDeltas(response.body)) {
        answer += delta;
        setMessages([...history, { role: 'assistant', content: answer }]);
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError((e as Error).message);
    } finally {
      setStreaming(false);
    }
  };

  return (
    <section aria-labelledby="chat-title" class="chat">
      <h1 id="chat-title">Playground</h1>
      <div class="filters">
        <label>
          Model
          <select value={model} onChange={(e) => setModel(e.currentTarget.value)} name="model">
            {model && !models?.some((m) => m.id === model) && <option value={model}>{model}</option>}
            {(models ?? []).map((m) => (
              <option value={m.id}>
                {m.id}
                {m.kind === 'alias' ? ' (alias)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setMessages([])} disabled={streaming}>
          Clear
        </button>
      </div>
      {models && models.length === 0 && <p class="empty">No models yet: one appears here when a run succeeds.</p>}
      <label class="field">
        System message
        <textarea rows={2} value={system} onInput={(e) => setSystem(e.currentTarget.value)} name="system" />
      </label>
      <ol class="messages" aria-live="polite">
        {messages.map((m) => (
          <li class={`message ${m.role}`}>
            <span class="role">{m.role}</span>
            <p>{m.content || (streaming ? '…' : '')}</p>
          </li>
        ))}
      </ol>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={(e) => void send(e)} class="composer">
        <label for="chat-input" class="visually-hidden">
          Message
        </label>
        <textarea
          id="chat-input"
          name="message"
          rows={2}
          value={input}
          placeholder="Say something… (Enter to send, Shift+Enter for a new line)"
          onInput={(e) => setInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) void send(e);
          }}
        />
        {streaming ? (
          <button type="button" onClick={() => abort.current?.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit" class="primary" disabled={!model || !input.trim()}>
            Send
          </button>
        )}
      </form>
    </section>
  );
}

/** The `choices[0].delta.content` pieces of an OpenAI chat-completions event stream. */
async function* contentDeltas(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }>; error?: { message?: string } };
      if (chunk.error) throw new Error(chunk.error.message ?? 'the stream reported an error');
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) yield delta;
    }
  }
}
