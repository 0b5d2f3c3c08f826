// Usage: requests, tokens and spend (cost_usd) by key, model, provider, day or hour from
// /admin/v1/usage over a time range, as a table and charts; the latest requests.
import { useEffect, useState } from 'preact/hooks';
import { api, fmtNum } from '../api.js';
import { Chart } from '../chart.jsx';
import { Notice } from '../ui.jsx';

const RANGES = [['1h', 3600], ['24h', 86400], ['7d', 7 * 86400], ['30d', 30 * 86400]];
const GROUPS = [['credential', 'key'], ['model', 'model'], ['provider', 'provider'], ['day', 'day'], ['hour', 'hour']];

const labelOf = (row, group) => (group === 'credential' ? row.credential_name || `#${row.credential_id}` : row[group] ?? '—');
const spendFields = (rows) => [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => /spend|cost/.test(k))))];

export function Usage() {
  const [range, setRange] = useState(86400);
  const [group, setGroup] = useState('model');
  const [rows, setRows] = useState(null);
  const [series, setSeries] = useState(null);
  const [spendSeries, setSpendSeries] = useState(null);
  const [span, setSpan] = useState(null);
  const [recent, setRecent] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const since = Math.floor(Date.now() / 1000) - range;
    const bucket = range > 2 * 86400 ? 'day' : 'hour';
    setError(null);
    Promise.all([
      api('GET', `/admin/v1/usage?since=${since}&group_by=${group}`),
      api('GET', `/admin/v1/usage?since=${since}&group_by=${bucket}`),
      api('GET', '/admin/v1/usage/requests?limit=50'),
    ]).then(([byGroup, byTime, latest]) => {
      setRows(byGroup.data);
      const points = byTime.data.slice().sort((a, b) => (a[bucket] < b[bucket] ? -1 : 1));
      const xs = points.map((p) => Date.parse(p[bucket]) / 1000);
      setSeries([xs, points.map((p) => p.requests), points.map((p) => p.total_tokens / 1000)]);
      setSpendSeries(points.some((p) => 'cost_usd' in p) ? [xs, points.map((p) => Number(p.cost_usd))] : null);
      setRecent(latest.data);
      setSpan([since, since + range]);
    }, setError);
  }, [range, group]);
  const extra = rows ? spendFields(rows) : [];
  const max = rows ? Math.max(1, ...rows.map((r) => r.requests)) : 1;
  return (
    <div>
      <h2>Usage</h2>
      <div class="toolbar">
        <label>range <select id="usage-range" value={range} onChange={(e) => setRange(Number(e.target.value))}>
          {RANGES.map(([l, s]) => <option value={s}>last {l}</option>)}
        </select></label>
        <label>by <select id="usage-group" value={group} onChange={(e) => setGroup(e.target.value)}>
          {GROUPS.map(([g, l]) => <option value={g}>{l}</option>)}
        </select></label>
      </div>
      <Notice error={error} />
      {series && <Chart title="Requests and k tokens over the range" series={['requests', 'k tokens']} data={series} xRange={span} width={760} />}
      {spendSeries && <Chart title="Spend (USD) over the range" series={['USD']} data={spendSeries} xRange={span} width={760} testId="spend-chart" />}
      <table id="usage-table">
        <thead><tr><th>{GROUPS.find((g) => g[0] === group)[1]}</th><th>requests</th><th /><th>prompt tokens</th><th>completion tokens</th><th>errors</th><th>avg latency ms</th><th>avg TTFT ms</th>
          {extra.map((k) => <th>{k.replace(/_/g, ' ')}</th>)}</tr></thead>
        <tbody>
          {(rows || []).map((r) => (
            <tr>
              <td>{labelOf(r, group)}</td>
              <td>{fmtNum(r.requests)}</td>
              <td class="bar-cell"><div class="bar" style={{ width: `${(100 * r.requests) / max}%` }} /></td>
              <td>{fmtNum(r.prompt_tokens)}</td>
              <td>{fmtNum(r.completion_tokens)}</td>
              <td>{fmtNum(r.errors)}</td>
              <td>{fmtNum(r.avg_latency_ms, 1)}</td>
              <td>{fmtNum(r.avg_ttft_ms, 1)}</td>
              {extra.map((k) => <td>{fmtNum(r[k], 4)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      {rows && rows.length === 0 && <p>No requests in this range.</p>}
      <h3>Latest requests</h3>
      <table id="recent-table">
        <thead><tr><th>time</th><th>key</th><th>model</th><th>provider</th><th>status</th><th>stream</th><th>tokens in/out</th><th>latency ms</th><th>TTFT ms</th></tr></thead>
        <tbody>
          {(recent || []).map((r) => (
            <tr class={r.status >= 400 ? 'failed' : ''}>
              <td>{r.created_at}</td><td>{r.credential_name || '—'}</td><td>{r.model}</td><td>{r.provider || '—'}</td>
              <td>{r.status}</td><td>{r.stream ? 'yes' : 'no'}</td><td>{r.prompt_tokens} / {r.completion_tokens}</td>
              <td>{fmtNum(r.latency_ms, 1)}</td><td>{fmtNum(r.ttft_ms, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
