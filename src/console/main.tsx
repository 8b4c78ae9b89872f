/** The console's shell: navigation and hash routes (#/, #/runs/<id>, #/aliases, #/drop, #/chat, #/settings). */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { functionKey, setFunctionKey } from './api.js';
import { AliasesPage } from './aliases-page.js';
import { ChatPage } from './chat-page.js';
import { DropPage } from './drop-page.js';
import { useHashRoute } from './hooks.js';
import { RunPage } from './run-page.js';
import { RunsPage } from './runs-page.js';
import './styles.css';

function Settings() {
  const [key, setKey] = useState(functionKey());
  const [saved, setSaved] = useState(false);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          setFunctionKey(key.trim());
          setSaved(true);
        }}
      >
        <div class="field">
          <label for="function-key">Function key</label>
          <input id="function-key" type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
          <small class="muted">
            Needed in Azure for uploads, cancel, retry, promote, roll back, examples and the playground (sent as <code>x-functions-key</code>; kept
            in this browser only). Locally, <code>npm start</code> needs none.
          </small>
        </div>
        <button type="submit" class="primary">
          Save
        </button>
        {saved && <p role="status">Saved.</p>}
      </form>
    </section>
  );
}

function App() {
  const route = useHashRoute();
  const path = route.split('?')[0] ?? '/';
  const runMatch = /^\/runs\/([^/]+)$/.exec(path);
  const page = runMatch ? <RunPage runId={decodeURIComponent(runMatch[1] ?? '')} /> : path === '/aliases' ? <AliasesPage /> : path === '/drop' ? <DropPage /> : path === '/chat' ? <ChatPage /> : path === '/settings' ? <Settings /> : <RunsPage key={route} />;
  const current = (href: string): 'page' | undefined => ((href === '/' ? path === '/' || Boolean(runMatch) : path === href) ? 'page' : undefined);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          finetune-pipeline
        </a>
        <nav aria-label="main">
          <a href="#/" aria-current={current('/')}>
            Runs
          </a>
          <a href="#/aliases" aria-current={current('/aliases')}>
            Aliases
          </a>
          <a href="#/drop" aria-current={current('/drop')}>
            New run
          </a>
          <a href="#/chat" aria-current={current('/chat')}>
            Playground
          </a>
          <a href="#/settings" aria-current={current('/settings')}>
            Settings
          </a>
        </nav>
      </header>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
