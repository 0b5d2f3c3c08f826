// The admin UI's shell: login with the admin key, navigation between the pages (hash routes,
// so the server serves one index.html), logout when the key stops working.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { checkAdminKey, session, setUnauthorizedHandler } from './api.js';
import { Overview } from './pages/overview.jsx';
import { Providers } from './pages/providers.jsx';
import { Keys } from './pages/keys.jsx';
import { Usage } from './pages/usage.jsx';
import { ConfigPage } from './pages/config.jsx';
import { Playground } from './pages/playground.jsx';
import './style.css';

const PAGES = [
  ['overview', 'Overview', Overview],
  ['providers', 'Providers', Providers],
  ['keys', 'Keys', Keys],
  ['usage', 'Usage', Usage],
  ['config', 'Config', ConfigPage],
  ['playground', 'Playground', Playground],
];

function Login({ onLogin }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await checkAdminKey(key);
      session.set(key);
      onLogin();
    } catch (err) {
      setError(err.status === 401 ? 'Wrong admin key.' : `Cannot reach the admin API: ${err.message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login">
      <form onSubmit={submit}>
        <h1>llmproxy</h1>
        <p>Enter the admin key (<code>server.admin_key</code> or <code>ADMIN_KEY</code>). It is kept for this tab only.</p>
        <input type="password" name="admin-key" autocomplete="current-password" placeholder="admin key" value={key} onInput={(e) => setKey(e.target.value)} autofocus />
        <button type="submit" disabled={busy || !key}>Sign in</button>
        {error && <div class="notice error" id="login-error">{error}</div>}
      </form>
    </div>
  );
}

function currentPage() {
  const name = location.hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p[0] === name) ? name : 'overview';
}

// What the playground may know across page switches, in memory only (never in storage):
// the client key created or rotated in this tab.
const memory = { clientKey: '' };

function App() {
  const [loggedIn, setLoggedIn] = useState(!!session.key());
  const [page, setPage] = useState(currentPage());
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    setUnauthorizedHandler(() => {
      session.clear();
      setLoggedIn(false);
    });
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (!loggedIn) return <Login onLogin={() => setLoggedIn(true)} />;
  const Page = PAGES.find((p) => p[0] === page)[2];
  return (
    <div class="shell">
      <nav>
        <div class="brand">llmproxy</div>
        {PAGES.map(([name, label]) => (
          <a href={`#/${name}`} class={name === page ? 'active' : ''} id={`nav-${name}`}>{label}</a>
        ))}
        <button class="logout" onClick={() => { session.clear(); setLoggedIn(false); }}>Sign out</button>
      </nav>
      <main id={`page-${page}`}>
        <Page memory={memory} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app'));
