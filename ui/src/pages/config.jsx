// Config: the running configuration with secrets masked (/admin/v1/config), where each
// provider and key comes from, and a reload button that shows the error (file:line) if the
// new file does not load.
import { useEffect, useState } from 'preact/hooks';
import { api, fmtTime } from '../api.js';
import { Notice } from '../ui.jsx';

export function ConfigPage() {
  const [config, setConfig] = useState(null);
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const [reload, setReload] = useState(null); // {ok, text}
  const [busy, setBusy] = useState(false);
  const load = () =>
    Promise.all([api('GET', '/admin/v1/config'), api('GET', '/admin/v1/status')]).then(([c, s]) => {
      setConfig(c);
      setStatus(s);
    }, setError);
  useEffect(() => { load(); }, []);
  const doReload = async () => {
    setBusy(true);
    setReload(null);
    try {
      const r = await api('POST', '/admin/v1/config/reload');
      setReload({ ok: true, text: `Reloaded: configuration version ${r.config_version}.` });
    } catch (e) {
      setReload({ ok: false, text: e.message });
    } finally {
      setBusy(false);
      load();
    }
  };
  const sections = config ? Object.entries(config).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v)) : [];
  return (
    <div>
      <h2>Configuration</h2>
      <Notice error={error} />
      <div class="toolbar">
        <button class="primary" id="reload" onClick={doReload} disabled={busy}>{busy ? 'Reloading…' : 'Reload configuration'}</button>
      </div>
      {reload && <div class={`notice ${reload.ok ? 'ok' : 'error'}`} id="reload-result"><pre>{reload.text}</pre></div>}
      {config && (
        <dl class="facts">
          <dt>version</dt><dd>{config.config_version}</dd>
          <dt>source</dt><dd id="config-source">{config.source}</dd>
          {status && status.last_reload && status.last_reload.attempts > 0 && (
            <>
              <dt>last reload</dt>
              <dd>{status.last_reload.ok ? 'ok' : 'failed'} at {fmtTime(status.last_reload.at_unix_ms)}</dd>
            </>
          )}
        </dl>
      )}
      {sections.map(([name, values]) => (
        <section class="config-section">
          <h3>[{name}]</h3>
          <table class="kv">
            <tbody>
              {Object.entries(values).map(([k, v]) => <tr><td>{k}</td><td class="mono">{JSON.stringify(v)}</td></tr>)}
            </tbody>
          </table>
        </section>
      ))}
      {config && (
        <>
          <h3>Providers</h3>
          <table id="config-providers">
            <thead><tr><th>provider</th><th>source</th><th>type</th><th>api base</th><th>api key</th><th>models</th><th>mapping</th><th>enabled</th></tr></thead>
            <tbody>
              {config.providers.map((p) => (
                <tr><td>{p.provider_key}</td><td>{p.source}</td><td>{p.provider_type}</td><td class="mono">{p.api_base}</td><td class="mono">{p.api_key}</td>
                  <td>{p.models.join(', ')}</td><td class="mono">{JSON.stringify(p.model_mapping)}</td><td>{p.is_enabled ? 'yes' : 'no'}</td></tr>
              ))}
            </tbody>
          </table>
          <h3>Keys</h3>
          <table>
            <thead><tr><th>name</th><th>source</th><th>key</th><th>allowed models</th><th>expires</th><th>enabled</th></tr></thead>
            <tbody>
              {config.keys.map((k) => (
                <tr><td>{k.name}</td><td>{k.source}</td><td class="mono">…{k.key_sha256_prefix}</td><td>{k.allowed_models.join(', ') || 'all'}</td><td>{k.expires_at || 'never'}</td><td>{k.is_enabled ? 'yes' : 'no'}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
