// Keys (client credentials): masked list, create (the key shown once, with a copy button),
// allowed models, limits, expiry, enable/disable, rotate, delete; spend in the current budget
// period, budget (max, soft, duration), remaining budget, reset spend.
import { useEffect, useState } from 'preact/hooks';
import { api, fmtNum } from '../api.js';
import { Confirm, errorFor, Field, Modal, Notice } from '../ui.jsx';

const blank = { name: '', allowed_models: '', rps: 0, burst: 0, tokens_per_minute: 0, max_requests: 0, expires_at: '', is_enabled: true, max_budget: 0, soft_budget: 0, budget_duration: '' };

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
    max_budget: k.max_budget || 0,
    soft_budget: k.soft_budget || 0,
    budget_duration: k.budget_duration || '',
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
    max_budget: Number(f.max_budget),
    soft_budget: Number(f.soft_budget),
    budget_duration: f.budget_duration.trim(),
  };
}

const usd = (v) => (typeof v === 'number' ? `$${fmtNum(v, 4)}` : '—');

// "spent of budget per period": the key's spend in its current budget period (settled; what is
// reserved for requests in flight in brackets) against max_budget.
function budgetText(k) {
  if (k.spend_usd === undefined) return '—';
  const reserved = k.reserved_usd ? ` (+${usd(k.reserved_usd)} in flight)` : '';
  if (!k.max_budget) return `${usd(k.spend_usd)}${reserved}, no budget`;
  const per = k.budget_duration ? ` per ${k.budget_duration}` : '';
  return `${usd(k.spend_usd)} of ${usd(k.max_budget)}${per}${reserved}`;
}

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
  const known = ['name', 'allowed_models', 'rate_limit', 'tokens_per_minute', 'max_requests', 'expires_at', 'is_enabled', 'max_budget', 'soft_budget', 'budget_duration'];
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
        <div class="row">
          <Field label="budget USD (0 = none)" error={errorFor(error, 'max_budget')}><input name="max_budget" type="number" step="any" min="0" value={f.max_budget} onInput={set('max_budget')} /></Field>
          <Field label="soft budget USD (warning header)" error={errorFor(error, 'soft_budget')}><input name="soft_budget" type="number" step="any" min="0" value={f.soft_budget} onInput={set('soft_budget')} /></Field>
          <Field label="budget period (1d, 30d, 1mo; empty = never resets)" error={errorFor(error, 'budget_duration')}><input name="budget_duration" value={f.budget_duration} onInput={set('budget_duration')} /></Field>
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
  return (
    <div>
      <h2>Keys</h2>
      <div class="toolbar"><button class="primary" id="new-key-button" onClick={() => setEditing({ initial: blank })}>New key</button></div>
      <Notice error={error} />
      <table id="keys-table">
        <thead>
          <tr><th>name</th><th>key</th><th>allowed models</th><th>limits</th><th>expires</th><th>enabled</th><th>source</th><th>spend / budget</th><th>remaining</th><th /></tr>
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
              <td class="spend">{budgetText(k)}</td>
              <td class="remaining">{k.max_budget ? usd(k.budget_remaining_usd) : '—'}</td>
              <td class="buttons">
                {k.id !== null && k.id !== undefined && (
                  <>
                    <button onClick={() => setEditing({ initial: formOf(k), id: k.id })}>Edit</button>
                    <button class="toggle" onClick={() => act(() => api('PUT', `/admin/v1/credentials/${k.id}`, { is_enabled: !k.is_enabled }))}>{k.is_enabled ? 'Disable' : 'Enable'}</button>
                    <button onClick={() => act(() => api('PUT', `/admin/v1/credentials/${k.id}`, { regenerate_key: true }))}>Rotate</button>
                    <button class="danger" onClick={() => setConfirm(k)}>Delete</button>
                  </>
                )}
                {k.spend_usd !== undefined && (
                  <button class="reset-spend" onClick={() => act(() => api('POST', `/admin/v1/credentials/${k.id ?? encodeURIComponent(k.name)}/reset_spend`))}>Reset spend</button>
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
