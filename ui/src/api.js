// The admin API from the browser: the admin key lives in sessionStorage (this tab only) and
// goes out as Authorization: Bearer; errors become ApiError with the server's message and the
// field it names (error.param).
const KEY = 'llmproxy.adminKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    super(e && e.message ? e.message : `HTTP ${status}`);
    this.status = status;
    this.param = e && e.param ? e.param : null;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(f) {
  onUnauthorized = f;
}

export async function api(method, path, body, key = session.key()) {
  const headers = { Authorization: `Bearer ${key || ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { message: text } };
  }
  if (!res.ok) {
    if (res.status === 401 && key === session.key()) onUnauthorized();
    throw new ApiError(res.status, data);
  }
  return data;
}

// Checks a key before it is kept: any admin endpoint answers 401 to a wrong one.
export async function checkAdminKey(key) {
  await api('GET', '/admin/v1/config/version', undefined, key);
}

export function fmtTime(ms) {
  if (!ms) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtNum(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits });
}
