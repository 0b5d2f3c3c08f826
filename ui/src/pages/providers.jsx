// Providers: list, create, edit (models and model_mapping, with the server's validation error
// beside the field it names), enable/disable, delete with confirmation, probe each model.
import { useEffect, useState } from 'preact/hooks';
import { api, fmtNum } from '../api.js';
import { Confirm, errorFor, Field, Modal, Notice } from '../ui.jsx';

const TYPES = ['openai', 'openai-compatible', 'azure', 'anthropic'];

function blankForm() {
  return { provider_key: '', provider_type: 'openai', api_base: '', api_key: '', api_version: '', models: '', mapping: [], weight: 1, verify_ssl: true, max_concurrent: 0, is_enabled: true };
}

function formOf(p) {
  return {
    provider_key: p.provider_key,
    provider_type: p.provider_type,
    api_base: p.api_base,
    api_key: '',
    api_version: p.api_version || '',
    models: (p.models || []).join('\n'),
    mapping: Object.entries(p.model_mapping || {}).map(([pattern, target]) => ({ pattern, target })),
    weight: p.weight,
    verify_ssl: p.verify_ssl,
    max_concurrent: p.max_concurrent || 0,
    is_enabled: p.is_enabled,
  };
}

function bodyOf(f, creating) {
  const body = {
    provider_type: f.provider_type,
    api_base: f.api_base.trim(),
    api_version: f.api_version,
    models: f.models.split('\n').map((s) => s.trim()).filter(Boolean),
    model_mapping: Object.fromEntries(f.mapping.filter((m) => m.pattern).map((m) => [m.pattern, m.target])),
    weight: Number(f.weight),
    verify_ssl: f.verify_ssl,
    max_concurrent: Number(f.max_concurrent),
    is_enabled: f.is_enabled,
  };
  if (creating) body.provider_key = f.provider_key.trim();
  if (f.api_key) body.api_key = f.api_key; // empty on edit keeps the stored key
  return body;
}

function ProviderForm({ initial, creating, onDone, onCancel }) {
  const [f, setF] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const setMap = (i, k, v) => setF({ ...f, mapping: f.mapping.map((m, j) => (j === i ? { ...m, [k]: v } : m)) });
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (creating) await api('POST', '/admin/v1/providers', bodyOf(f, true));
      else await api('PUT', `/admin/v1/providers/${encodeURIComponent(initial.provider_key)}`, bodyOf(f, false));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const mappingError = (m) => (error && error.param === `model_mapping.${m.pattern}` ? error.message : null);
  const fieldNames = ['provider_key', 'provider_type', 'api_base', 'api_key', 'api_version', 'models', 'model_mapping', 'weight', 'verify_ssl', 'max_concurrent', 'is_enabled'];
  const general = error && !fieldNames.some((n) => errorFor(error, n)) ? error : null;
  return (
    <Modal title={creating ? 'New provider' : `Edit ${initial.provider_key}`} onClose={onCancel}>
      <form class="form" onSubmit={save} id="provider-form">
        <Field label="provider key" error={errorFor(error, 'provider_key')}>
          <input name="provider_key" value={f.provider_key} onInput={set('provider_key')} disabled={!creating} />
        </Field>
        <Field label="type" error={errorFor(error, 'provider_type')}>
          <select name="provider_type" value={f.provider_type} onChange={set('provider_type')}>
            {TYPES.map((t) => <option value={t}>{t}</option>)}
          </select>
        </Field>
        <Field label="api base" error={errorFor(error, 'api_base')} hint="https://api.openai.com/v1">
          <input name="api_base" value={f.api_base} onInput={set('api_base')} />
        </Field>
        <Field label="api key" error={errorFor(error, 'api_key')} hint={creating ? '' : 'leave empty to keep the stored key'}>
          <input name="api_key" type="password" autocomplete="off" value={f.api_key} onInput={set('api_key')} />
        </Field>
        {f.provider_type === 'azure' && (
          <Field label="api version" error={errorFor(error, 'api_version')}>
            <input name="api_version" value={f.api_version} onInput={set('api_version')} />
          </Field>
        )}
        <Field label="models (one per line)" error={errorFor(error, 'models')}>
          <textarea name="models" rows="3" value={f.models} onInput={set('models')} />
        </Field>
        <div class="field">
          <span class="field-label">model mapping (pattern → provider's model)</span>
          {f.mapping.map((m, i) => (
            <div class={mappingError(m) ? 'map-row has-error' : 'map-row'}>
              <input class="map-pattern" placeholder="gpt-4* or regex" value={m.pattern} onInput={(e) => setMap(i, 'pattern', e.target.value)} />
              <span>→</span>
              <input class="map-target" placeholder="target model" value={m.target} onInput={(e) => setMap(i, 'target', e.target.value)} />
              <button type="button" onClick={() => setF({ ...f, mapping: f.mapping.filter((_, j) => j !== i) })}>✕</button>
              {mappingError(m) && <span class="field-error">{mappingError(m)}</span>}
            </div>
          ))}
          <button type="button" id="add-mapping" onClick={() => setF({ ...f, mapping: [...f.mapping, { pattern: '', target: '' }] })}>Add mapping</button>
          {error && error.param === 'model_mapping' && <span class="field-error">{error.message}</span>}
        </div>
        <div class="row">
          <Field label="weight" error={errorFor(error, 'weight')}>
            <input name="weight" type="number" value={f.weight} onInput={set('weight')} />
          </Field>
          <Field label="max concurrent (0 = unlimited)" error={errorFor(error, 'max_concurrent')}>
            <input name="max_concurrent" type="number" value={f.max_concurrent} onInput={set('max_concurrent')} />
          </Field>
        </div>
        <label class="check"><input type="checkbox" name="verify_ssl" checked={f.verify_ssl} onChange={set('verify_ssl')} /> verify TLS certificates</label>
        <label class="check"><input type="checkbox" name="is_enabled" checked={f.is_enabled} onChange={set('is_enabled')} /> enabled</label>
        <Notice error={general} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{creating ? 'Create' : 'Save'}</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}

function Probe({ provider, onClose }) {
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('POST', `/admin/v1/providers/${encodeURIComponent(provider)}/health`).then(setResult, setError);
  }, [provider]);
  return (
    <Modal title={`Probe ${provider}`} onClose={onClose}>
      {!result && !error && <p>Probing each model…</p>}
      <Notice error={error} />
      {result && (
        <table id="probe-result">
          <thead><tr><th>model</th><th>ok</th><th>status</th><th>latency ms</th><th>error</th></tr></thead>
          <tbody>
            {result.models.map((m) => (
              <tr><td>{m.model}</td><td>{m.ok ? '✓' : '✗'}</td><td>{m.status ?? '—'}</td><td>{fmtNum(m.latency_ms, 1)}</td><td>{m.error || ''}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions"><button onClick={onClose}>Close</button></div>
    </Modal>
  );
}

export function Providers() {
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null); // {initial, creating}
  const [confirm, setConfirm] = useState(null);
  const [probe, setProbe] = useState(null);
  const load = () => api('GET', '/admin/v1/providers').then((r) => { setList(r.data); }, setError);
  useEffect(() => { load(); }, []);
  const act = async (f) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e);
    }
    load();
  };
  return (
    <div>
      <h2>Providers</h2>
      <div class="toolbar">
        <button class="primary" id="new-provider" onClick={() => setEditing({ initial: blankForm(), creating: true })}>New provider</button>
      </div>
      <Notice error={error} />
      <table id="providers-table">
        <thead><tr><th>key</th><th>type</th><th>api base</th><th>models</th><th>weight</th><th>enabled</th><th>source</th><th /></tr></thead>
        <tbody>
          {(list || []).map((p) => (
            <tr data-provider={p.provider_key}>
              <td>{p.provider_key}</td>
              <td>{p.provider_type}</td>
              <td class="mono">{p.api_base}</td>
              <td>{(p.models || []).join(', ')}{Object.keys(p.model_mapping || {}).length ? ` (+${Object.keys(p.model_mapping).length} mapped)` : ''}</td>
              <td>{p.weight}</td>
              <td>{p.is_enabled ? 'yes' : 'no'}</td>
              <td>{p.source}</td>
              <td class="buttons">
                {p.source === 'database' && <button onClick={() => setEditing({ initial: formOf(p), creating: false })}>Edit</button>}
                {p.source === 'database' && (
                  <button onClick={() => act(() => api('PUT', `/admin/v1/providers/${encodeURIComponent(p.provider_key)}`, { is_enabled: !p.is_enabled }))}>
                    {p.is_enabled ? 'Disable' : 'Enable'}
                  </button>
                )}
                <button onClick={() => setProbe(p.provider_key)}>Probe</button>
                {p.source === 'database' && <button class="danger" onClick={() => setConfirm(p.provider_key)}>Delete</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list && list.length === 0 && <p>No providers.</p>}
      {editing && <ProviderForm {...editing} onCancel={() => setEditing(null)} onDone={() => { setEditing(null); load(); }} />}
      {confirm && (
        <Confirm text={`Delete provider ${confirm}? Requests for its models stop going to it.`} onNo={() => setConfirm(null)}
          onYes={() => { const k = confirm; setConfirm(null); act(() => api('DELETE', `/admin/v1/providers/${encodeURIComponent(k)}`)); }} />
      )}
      {probe && <Probe provider={probe} onClose={() => setProbe(null)} />}
    </div>
  );
}
