// Prometheus text from /metrics -> the Overview's series. Counters and histograms are turned
// into rates between two scrapes here, in the browser; the server keeps no history.

// Parses the exposition format into [{name, labels, value}].
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let l;
      while ((l = re.exec(m[3]))) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    }
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

const isProxied = (labels) => (labels.endpoint || '').startsWith('/v1/') && labels.endpoint !== '/v1/models';

// The totals one scrape contributes to the charts.
export function summarize(samples) {
  const s = { requests: 0, errors: 0, active: 0, completionTokens: 0, duration: {}, ttft: {} };
  for (const { name, labels, value } of samples) {
    if (name === 'llm_proxy_requests_total' && isProxied(labels)) {
      s.requests += value;
      if (Number(labels.status_code || labels.status || 0) >= 400) s.errors += value;
    } else if (name === 'llm_proxy_active_requests') {
      s.active += value;
    } else if (name === 'llm_proxy_tokens_total' && labels.token_type === 'completion') {
      s.completionTokens += value;
    } else if (name === 'llm_proxy_request_duration_seconds_bucket') {
      if (!labels.endpoint || isProxied(labels)) s.duration[labels.le] = (s.duration[labels.le] || 0) + value;
    } else if (name === 'llm_proxy_ttft_seconds_bucket') {
      s.ttft[labels.le] = (s.ttft[labels.le] || 0) + value;
    }
  }
  return s;
}

// A quantile from the difference of two cumulative histograms (linear within a bucket).
export function quantile(q, now, before) {
  const bounds = Object.keys(now)
    .map((le) => ({ le, upper: le === '+Inf' ? Infinity : Number(le) }))
    .sort((a, b) => a.upper - b.upper);
  const counts = bounds.map((b) => (now[b.le] || 0) - ((before && before[b.le]) || 0));
  const total = counts.length ? counts[counts.length - 1] : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let prev = 0;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i] >= rank) {
      const upper = bounds[i].upper === Infinity ? lower : bounds[i].upper;
      const inBucket = counts[i] - prev;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - prev)) / inBucket : upper;
    }
    lower = bounds[i].upper;
    prev = counts[i];
  }
  return lower;
}

// One chart point from two consecutive scrapes `dt` seconds apart.
export function point(now, before, dt) {
  const rate = (a, b) => (b === undefined ? 0 : Math.max(0, a - b) / dt);
  return {
    rps: rate(now.requests, before && before.requests),
    errors: rate(now.errors, before && before.errors),
    tokensPerSecond: rate(now.completionTokens, before && before.completionTokens),
    active: now.active,
    p50: msOf(quantile(0.5, now.duration, before && before.duration)),
    p99: msOf(quantile(0.99, now.duration, before && before.duration)),
    ttft: msOf(quantile(0.5, now.ttft, before && before.ttft)),
  };
}

const msOf = (s) => (s === null ? null : s * 1000);
