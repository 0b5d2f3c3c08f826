// Keys (client credentials): masked list, create (the key shown once, with a copy button),
// allowed models, limits, expiry, enable/disable, rotate, delete. Spend and budget columns
// appear when the API's rows carry such fields.
import { useEffect, useState } from 'preact/hooks';
import { api, fmtNum } from '../api.js';
import { Confirm, errorFor, Field, Modal, Notice } from '../ui.jsx';

const blank = { name: '', allowed_models: '', rps: 0, burst: 0, tokens_per_minute: 0, max_requests: 0, expires_at: '', is_enabled: true };

function formOf(k) {
  return {
    name: k.name,
    allowed_models: (k.allowed_models || []).join(', '),
    rps: k.rate_limit ? k.rate_limit.requests_per_second : 0,
    burst: k.rate_limit ? k.rate_limit.burst : 0,
    tokens_per_minute: k.tokens_per_minute || 0,
    max_requests: k.max_requests || 0,
    expires_at: k.expires_at ? k.expires_at.slice(0, 16) : '',
    is_enabled: k.is_enabled,
  };
}

function bodyOf(f) {
  return {
    name: f.name.trim(),
    allowed_models: f.allowed_models.split(',').map((s) => s.trim()).filter(Boolean),
    rate_limit: { requests_per_second: Number(f.rps), burst: Number(f.burst) },
    tokens_per_minute: Number(f.tokens_per_minute),
    max_requests: Number(f.max_requests),
    expires_at: f.expires_at ? `${f.expires_at}:00Z` : null,
    is_enabled: f.is_enabled,
  };
}

// Budget and spend fields, whatever the spend feature names them.
const spendFields = (rows) => [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => /spend|budget/.test(k))))];

function KeyForm({ initial, id, onDone, onCancel }) {
  const [f, setF] = useState(initial);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = id ? await api('PUT', `/admin/v1/credentials/${id}`, bodyOf(f)) : await api('POST', '/admin/v1/credentials', bodyOf(f));
      onDone(r);
    } catch (err) {
      setError(err);
    }
  };
  const known = ['name', 'allowed_models', 'rate_limit', 'tokens_per_minute', 'max_requests', 'expires_at', 'is_enabled'];
  return (
    <Modal title={id ? `Edit ${initial.name}` : 'New key'} onClose={onCancel}>
      <form class="form" onSubmit={save} id="key-form">
        <Field label="name" error={errorFor(error, 'name')}><input name="name" value={f.name} onInput={set('name')} /></Field>
        <Field label="allowed models (comma-separated, * wildcards; empty = all)" error={errorFor(error, 'allowed_models')}>
          <input name="allowed_models" value={f.allowed_models} onInput={set('allowed_models')} />
        </Field>
        <div class="row">
          <Field label="requests/s (0 = unlimited)" error={errorFor(error, 'rate_limit.requests_per_second')}><input name="rps" type="number" value={f.rps} onInput={set('rps')} /></Field>
          <Field label="burst" error={errorFor(error, 'rate_limit.burst')}><input name="burst" type="number" value={f.burst} onInput={set('burst')} /></Field>
        </div>
        <div class="row">
          <Field label="tokens/minute" error={errorFor(error, 'tokens_per_minute')}><input name="tokens_per_minute" type="number" value={f.tokens_per_minute} onInput={set('tokens_per_minute')} /></Field>
          <Field label="max requests" error={errorFor(error, 'max_requests')}><input name="max_requests" type="number" value={f.max_requests} onInput={set('max_requests')} /></Field>
        </div>
        <Field label="expires at (UTC; empty = never)" error={errorFor(error, 'expires_at')}>
          <input name="expires_at" type="datetime-local" value={f.expires_at} onInput={set('expires_at')} />
        </Field>
        <label class="check"><input type="checkbox" name="is_enabled" checked={f.is_enabled} onChange={set('is_enabled')} /> enabled</label>
        <Notice error={error && !known.some((n) => errorFor(error, n)) ? error : null} />
        <div class="actions">
          <button type="submit" class="primary">{id ? 'Save' : 'Create'}</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}

function ShowOnce({ name, secret, onClose }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      document.getElementById('new-key').select();
    }
  };
  return (
    <Modal title={`Key for ${name}`} onClose={onClose}>
      <p>This is the only time the key is shown. Store it now.</p>
      <div class="secret-row">
        <input id="new-key" class="mono" readOnly value={secret} onFocus={(e) => e.target.select()} />
        <button class="primary" id="copy-key" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
      </div>
      <div class="actions"><button id="close-key" onClick={onClose}>Done</button></div>
    </Modal>
  );
}

export function Keys({ memory }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);
  const [secret, setSecret] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const load = () => api('GET', '/admin/v1/credentials').then((r) => setList(r.data), setError);
  useEffect(() => { load(); }, []);
  const gotKey = (r) => {
    if (r && r.key) {
      memory.clientKey = r.key; // memory only: offered by the playground in this tab
      setSecret({ name: r.name, key: r.key });
    }
    load();
  };
  const act = async (f) => {
    setError(null);
    try {
      gotKey(await f());
    } catch (e) {
      setError(e);
      load();
    }
  };
  const extra = list ? spendFields(list) : [];
  return (
    <div>
      <h2>Keys</h2>
      <div class="toolbar"><button class="primary" id="new-key-button" onClick={() => setEditing({ initial: blank })}>New key</button></div>
      <Notice error={error} />
      <table id="keys-table">
        <thead>
          <tr><th>name</th><th>key</th><th>allowed models</th><th>limits</th><th>expires</th><th>enabled</th><th>source</th>
            {extra.map((k) => <th>{k.replace(/_/g, ' ')}</th>)}<th /></tr>
        </thead>
        <tbody>
          {(list || []).map((k) => (
            <tr data-key={k.name}>
              <td>{k.name}</td>
              <td class="mono">…{k.key_sha256_prefix}</td>
              <td>{(k.allowed_models || []).join(', ') || 'all'}</td>
              <td>{limitsText(k)}</td>
              <td>{k.expires_at || 'never'}</td>
              <td>{k.is_enabled ? 'yes' : 'no'}</td>
              <td>{k.source}</td>
              {extra.map((f) => <td>{typeof k[f] === 'number' ? fmtNum(k[f], 4) : String(k[f] ?? '—')}</td>)}
              <td class="buttons">
                {k.id !== null && k.id !== undefined && (
                  <>
                    <button onClick={() => setEditing({ initial: formOf(k), id: k.id })}>Edit</button>
                    <button class="toggle" onClick={() => act(() => api('PUT', `/admin/v1/credentials/${k.id}`, { is_enabled: !k.is_enabled }))}>{k.is_enabled ? 'Disable' : 'Enable'}</button>
                    <button onClick={() => act(() => api('PUT', `/admin/v1/credentials/${k.id}`, { regenerate_key: true }))}>Rotate</button>
                    <button class="danger" onClick={() => setConfirm(k)}>Delete</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && <KeyForm {...editing} onCancel={() => setEditing(null)} onDone={(r) => { setEditing(null); gotKey(r); }} />}
      {secret && <ShowOnce name={secret.name} secret={secret.key} onClose={() => setSecret(null)} />}
      {confirm && (
        <Confirm text={`Delete key ${confirm.name}? Clients using it get 401 from then on.`} onNo={() => setConfirm(null)}
          onYes={() => { const k = confirm; setConfirm(null); act(() => api('DELETE', `/admin/v1/credentials/${k.id}`)); }} />
      )}
    </div>
  );
}

function limitsText(k) {
  const parts = [];
  if (k.rate_limit && k.rate_limit.requests_per_second) parts.push(`${k.rate_limit.requests_per_second}/s burst ${k.rate_limit.burst}`);
  if (k.tokens_per_minute) parts.push(`${fmtNum(k.tokens_per_minute)} tok/min`);
  if (k.max_requests) parts.push(`${fmtNum(k.max_requests)} requests`);
  return parts.join(', ') || 'none';
}
