// Overview: live rates from /metrics (polled every 2 s, computed here), the last 15 minutes as
// charts, and the state of providers, workers, configuration, PostgreSQL and Redis.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, fmtNum, fmtTime } from '../api.js';
import { Chart } from '../chart.jsx';
import { parseMetrics, point, summarize } from '../metrics.js';
import { Notice } from '../ui.jsx';

const POLL_MS = 2000;
const KEEP_S = 15 * 60;
const WINDOW = 5; // quantiles and rates over the last 5 scrapes (~10 s)

function emptySeries() {
  return { t: [], rps: [], errors: [], p50: [], p99: [], ttft: [], tps: [], active: [] };
}

export function Overview() {
  const [series, setSeries] = useState(emptySeries());
  const [status, setStatus] = useState(null);
  const [health, setHealth] = useState(null);
  const [error, setError] = useState(null);
  const scrapes = useRef([]);
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const res = await fetch('/metrics', { cache: 'no-store' });
        const now = { at: Date.now() / 1000, s: summarize(parseMetrics(await res.text())) };
        const list = scrapes.current;
        list.push(now);
        if (list.length > WINDOW + 1) list.shift();
        const before = list.length > 1 ? list[0] : null;
        const p = point(now.s, before && before.s, before ? now.at - before.at : 1);
        setSeries((old) => {
          const n = emptySeries();
          const cut = old.t.findIndex((t) => t >= now.at - KEEP_S);
          for (const k of Object.keys(n)) n[k] = cut < 0 ? [] : old[k].slice(cut);
          n.t.push(now.at);
          n.rps.push(p.rps);
          n.errors.push(p.errors);
          n.p50.push(p.p50);
          n.p99.push(p.p99);
          n.ttft.push(p.ttft);
          n.tps.push(p.tokensPerSecond);
          n.active.push(p.active);
          return n;
        });
        const [st, hd] = await Promise.all([
          api('GET', '/admin/v1/status'),
          // Admin listener only, with the admin key (docs/security.md); a failure leaves the
          // provider table empty rather than hiding the rest of the page.
          api('GET', '/health/detailed').catch(() => null),
        ]);
        if (stopped) return;
        setStatus(st);
        setHealth(hd);
        setError(null);
      } catch (e) {
        if (!stopped) setError(e);
      }
    };
    tick();
    const timer = setInterval(tick, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  const last = (a) => (a.length ? a[a.length - 1] : null);
  return (
    <div>
      <h2>Overview</h2>
      <Notice error={error} />
      <div class="tiles">
        <Tile label="requests/s" value={fmtNum(last(series.rps), 2)} id="tile-rps" />
        <Tile label="errors/s" value={fmtNum(last(series.errors), 2)} />
        <Tile label="latency p50 / p99 (ms)" value={`${fmtNum(last(series.p50), 1)} / ${fmtNum(last(series.p99), 1)}`} />
        <Tile label="TTFT p50 (ms)" value={fmtNum(last(series.ttft), 1)} />
        <Tile label="tokens/s" value={fmtNum(last(series.tps), 1)} />
        <Tile label="active streams" value={fmtNum(last(series.active))} />
      </div>
      <div class="charts">
        <Chart title="Requests / s" testId="chart-rps" series={['requests/s', 'errors/s']} data={[series.t, series.rps, series.errors]} />
        <Chart title="Latency (ms)" series={['p50', 'p99', 'TTFT p50']} data={[series.t, series.p50, series.p99, series.ttft]} />
        <Chart title="Tokens / s and active" series={['tokens/s', 'active']} data={[series.t, series.tps, series.active]} />
      </div>
      <div class="cols">
        <section>
          <h3>Providers</h3>
          <table id="provider-health">
            <thead><tr><th>provider</th><th>state</th><th>failures (window)</th><th>out until</th></tr></thead>
            <tbody>
              {(health && health.providers ? health.providers : []).map((p) => (
                <tr>
                  <td>{p.id}</td>
                  <td><span class={`badge ${p.state}`}>{p.state}</span></td>
                  <td>{fmtNum(p.failures_in_window)}{p.max_fails ? ` / ${p.max_fails}` : ''}</td>
                  <td>{p.down_until_unix_ms ? fmtTime(p.down_until_unix_ms)
                    : p.retry_after_until_unix_ms ? fmtTime(p.retry_after_until_unix_ms) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h3>Gateway</h3>
          {status && (
            <dl class="facts" id="gateway-facts">
              <dt>version</dt><dd>{status.version}</dd>
              <dt>uptime</dt><dd>{fmtNum(status.uptime_seconds)} s</dd>
              <dt>config version</dt><dd>{status.config_version}</dd>
              <dt>config source</dt><dd>{status.config_source}</dd>
              <dt>last reload</dt>
              <dd>{status.last_reload && status.last_reload.attempts > 0
                ? `${status.last_reload.ok ? 'ok' : 'failed'} at ${fmtTime(status.last_reload.at_unix_ms)}${status.last_reload.ok ? '' : `: ${status.last_reload.message}`}`
                : 'none since start'}</dd>
              <dt>PostgreSQL</dt><dd>{dbText(status.database)}</dd>
              <dt>Redis</dt><dd>{health && health.redis ? (health.redis.configured ? health.redis.state : 'not configured') : '—'}</dd>
            </dl>
          )}
          <h3>Workers</h3>
          <table>
            <thead><tr><th>slot</th><th>pid</th><th>state</th><th>config</th><th>uptime s</th><th>connections</th><th>requests</th></tr></thead>
            <tbody>
              {(status ? status.workers : []).map((w) => (
                <tr><td>{w.slot}</td><td>{w.pid}</td><td>{w.state}</td><td>{w.config_version}</td><td>{fmtNum(w.uptime_seconds)}</td><td>{fmtNum(w.connections)}</td><td>{fmtNum(w.requests)}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}

function dbText(db) {
  if (!db || !db.configured) return 'not configured';
  return `${db.state}${db.last_error ? ` (${db.last_error})` : ''}`;
}

function Tile({ label, value, id }) {
  return (
    <div class="tile" id={id}>
      <div class="tile-value">{value}</div>
      <div class="tile-label">{label}</div>
    </div>
  );
}
