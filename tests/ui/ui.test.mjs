// The admin web UI in headless Chromium (puppeteer-core, Debian's chromium): a real llmproxy
// with PostgreSQL and the mock provider behind it. Logs in (bad key refused, good accepted),
// creates a provider (a server validation error shown beside its field first) and sees it
// serve traffic, creates a key shown once, watches the overview's charts move under traffic,
// streams chats in the playground (OpenAI and Anthropic protocols), disables the key and sees
// 401 there, reloads a broken file and sees file:line, screenshots every page (1280x800) and
// fails on any console error other than the deliberate 4xx answers.
//
// usage: node ui.test.mjs LLMPROXY MOCK WORKDIR   (env CHROMIUM: the browser binary)
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFileSync, chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const require = createRequire(join(repo, 'ui', 'package.json'));
const puppeteer = require('puppeteer-core');

const [proxyBin, mockBin, work] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const ADMIN_KEY = 'ui-test-admin-key';
const shots = join(work, 'screenshots');
mkdirSync(shots, { recursive: true });

let passed = 0;
const children = [];
const cleanups = [];

function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  passed++;
  console.log(`ok ${passed} - ${what}`);
}

async function eventually(what, f, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function start(cmd, args, log) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => appendFileSync(log, d));
  child.stderr.on('data', (d) => appendFileSync(log, d));
  children.push(child);
  return child;
}

// ---- PostgreSQL: a throwaway cluster (initdb as the postgres user when root) ----------------
function pgBinDir() {
  for (const v of ['17', '16', '15', '14']) {
    const d = `/usr/lib/postgresql/${v}/bin`;
    if (spawnSync('test', ['-x', `${d}/initdb`]).status === 0) return d;
  }
  return dirname(run('sh', ['-c', 'command -v initdb']).trim());
}

async function startPostgres() {
  const bin = pgBinDir();
  const dir = mkdtempSync('/tmp/llmproxy-ui-pg-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const asRoot = process.getuid() === 0;
  const wrap = (tool, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', `${bin}/${tool}`, ...args]] : [`${bin}/${tool}`, args]);
  if (asRoot) {
    const id = run('id', ['-u', 'postgres']).trim();
    const gid = run('id', ['-g', 'postgres']).trim();
    chownSync(dir, Number(id), Number(gid));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  run(...wrap('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']));
  const port = await freePort();
  appendFileSync(join(data, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\nsynchronous_commit = off\n`);
  run(...wrap('pg_ctl', ['start', '-D', data, '-l', join(data, 'server.log'), '-w', '-t', '60']));
  cleanups.push(() => spawnSync(...wrap('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w'])));
  return `postgresql://postgres@127.0.0.1:${port}/postgres`;
}

// ---- the gateway --------------------------------------------------------------------------
async function startGateway(dbUrl) {
  const mockPort = await freePort();
  const apiPort = await freePort();
  const adminPort = await freePort();
  start(mockBin, ['--host', '127.0.0.1', '--port', String(mockPort), '--chunks', '8', '--chunk-delay-ms', '20'], join(work, 'mock.log'));
  run(proxyBin, ['migrate', 'up', '-d', dbUrl, '--migrations', join(repo, 'migrations')]);
  const conf = join(work, 'llmproxy.conf');
  const text = `[server]
listen = "127.0.0.1:${apiPort}"
admin_listen = "127.0.0.1:${adminPort}"
workers = 2
admin_key = "${ADMIN_KEY}"
admin_ui_root = "${join(repo, 'ui', 'dist')}"
pid_file = "${join(work, 'llmproxy.pid')}"
${process.getuid() === 0 ? 'user = "root"' : ''}

[log]
error_log = "${join(work, 'error.log')}"

[database]
url = "${dbUrl}"
usage_flush_interval = "200ms"

[[price]]
model = "ui-model"
input_per_mtok = 100
output_per_mtok = 200
`;
  writeFileSync(conf, text);
  start(proxyBin, ['-g', '-c', conf], join(work, 'llmproxy.log'));
  const admin = `http://127.0.0.1:${adminPort}`;
  await eventually('the admin port', async () => (await fetch(`${admin}/health`)).ok);
  return { admin, api: `http://127.0.0.1:${apiPort}`, mock: `http://127.0.0.1:${mockPort}/v1`, conf, confText: text };
}

// ---- the browser --------------------------------------------------------------------------
async function main() {
  const dbUrl = await startPostgres();
  const gw = await startGateway(dbUrl);
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Chrome logs every 4xx answer the page receives; the test provokes these on purpose:
    // 401 (wrong keys), 400 (a bad mapping), 422 (the reload of a broken file).
    if (/^Failed to load resource: the server responded with a status of (40[01]|422)/.test(text)) return;
    consoleErrors.push(text);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  const clickButton = async (scope, label) => {
    const buttons = await page.$$(`${scope} button`);
    for (const b of buttons) if ((await b.evaluate((e) => e.textContent.trim())) === label) return b.click();
    throw new Error(`no button "${label}" in ${scope}`);
  };

  // Security headers on the page itself.
  const res = await page.goto(`${gw.admin}/`, { waitUntil: 'networkidle0' });
  check(page.url() === `${gw.admin}/ui/`, '/ redirects to /ui/');
  const h = res.headers();
  check(h['content-security-policy'].includes("script-src 'self'") && h['x-frame-options'] === 'DENY' && h['referrer-policy'] === 'no-referrer', 'the page has CSP, X-Frame-Options and Referrer-Policy');

  // Login: a wrong key is refused, the right one accepted.
  await shot('login');
  await page.type('input[name=admin-key]', 'wrong-key');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error');
  check((await text('#login-error')).includes('Wrong admin key'), 'a wrong admin key is refused at the login screen');
  await page.$eval('input[name=admin-key]', (e) => { e.value = ''; });
  await page.type('input[name=admin-key]', ADMIN_KEY);
  await page.click('button[type=submit]');
  await page.waitForSelector('#page-overview');
  check(true, 'the admin key is accepted');
  check(!(await page.evaluate(() => JSON.stringify(localStorage))).includes(ADMIN_KEY), 'the admin key is not in localStorage');

  // Providers: a bad mapping is refused with the message beside the row, then created.
  await page.click('#nav-providers');
  await page.waitForSelector('#new-provider');
  await page.click('#new-provider');
  await page.type('#provider-form input[name=provider_key]', 'ui-mock');
  await page.select('#provider-form select[name=provider_type]', 'openai-compatible');
  await page.type('#provider-form input[name=api_base]', gw.mock);
  await page.type('#provider-form input[name=api_key]', 'sk-upstream-secret');
  await page.type('#provider-form textarea[name=models]', 'ui-model');
  await page.click('#add-mapping');
  await page.type('.map-row .map-pattern', 'a(');
  await page.type('.map-row .map-target', 'ui-model');
  await page.click('#provider-form button[type=submit]');
  await page.waitForSelector('.map-row .field-error');
  check((await text('.map-row .field-error')).includes('model_mapping'), 'the server validation error is shown beside the mapping row');
  await shot('provider-form-error');
  await page.$eval('.map-row .map-pattern', (e) => { e.value = ''; });
  await page.type('.map-row .map-pattern', 'ui-alias-*');
  await page.click('#provider-form button[type=submit]');
  await page.waitForSelector('tr[data-provider="ui-mock"]');
  check(true, 'the provider is created and listed');
  check(!(await page.content()).includes('sk-upstream-secret'), 'the provider key is masked in the list');
  await shot('providers');

  // Keys: created, shown once.
  await page.click('#nav-keys');
  await page.waitForSelector('#new-key-button');
  await page.click('#new-key-button');
  await page.type('#key-form input[name=name]', 'ui-key');
  await page.$eval('#key-form input[name=max_budget]', (e) => { e.value = ''; });
  await page.type('#key-form input[name=max_budget]', '50');
  await page.type('#key-form input[name=budget_duration]', '1d');
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#new-key');
  const clientKey = await page.$eval('#new-key', (e) => e.value);
  check(clientKey.startsWith('sk-llmp-'), 'the new key is shown once, with a copy button');
  check(!!(await page.$('#copy-key')), 'the copy button is there');
  await shot('key-created');
  await page.click('#close-key');
  await page.waitForSelector('tr[data-key="ui-key"]');
  check(!(await page.content()).includes(clientKey), 'the key is not shown again in the list');
  check(!(await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage))).includes(clientKey), 'the client key is in no browser storage');
  const budgetCell = await text('tr[data-key="ui-key"] .spend');
  check(budgetCell.includes('of $50') && budgetCell.includes('per 1d'), `the key's budget is listed (${budgetCell})`);
  await shot('keys');

  // The provider serves traffic for the key (once the reload has reached the workers).
  const chat = (stream = false) => fetch(`${gw.api}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'ui-model', messages: [{ role: 'user', content: 'hi' }], stream }),
  });
  const served = await eventually('the new provider to serve the new key', async () => {
    const r = await chat();
    await r.text();
    return r.status === 200 ? r : null;
  });
  check(served.headers.get('x-llmproxy-provider') === 'ui-mock', 'the created provider serves traffic');

  // Overview: charts move while traffic runs.
  await page.click('#nav-overview');
  await page.waitForSelector('[data-testid=chart-rps]');
  let traffic = true;
  const load = (async () => {
    while (traffic) {
      const r = await chat(true);
      await r.text();
    }
  })();
  const points0 = Number(await page.$eval('[data-testid=chart-rps]', (e) => e.dataset.points));
  await eventually('the request rate to show', async () => Number((await text('#tile-rps .tile-value')).replace(/,/g, '')) > 0);
  await eventually('the chart to gain points', async () => Number(await page.$eval('[data-testid=chart-rps]', (e) => e.dataset.points)) >= points0 + 2);
  check(true, 'the overview charts move while traffic runs');
  await page.waitForSelector('#provider-health tbody tr');
  check((await text('#provider-health')).includes('ui-mock'), 'provider health lists the new provider');
  await shot('overview');
  traffic = false;
  await load;

  // Playground: streamed chats in both protocols, with TTFT, tokens and the provider.
  await page.click('#nav-playground');
  await page.waitForSelector('#pg-key');
  check((await page.$eval('#pg-key', (e) => e.value)) === clientKey, 'the playground offers the key created in this tab');
  await page.$eval('#pg-model', (e) => { e.value = ''; });
  await page.type('#pg-model', 'ui-model');
  await page.click('#pg-send');
  await page.waitForSelector('#pg-output[data-done=yes]');
  check((await text('#pg-status')) === '200' && (await text('#pg-output')).length > 0, 'a streamed chat arrives in the playground');
  check((await text('#pg-provider')) === 'ui-mock' && (await text('#pg-ttft')).includes('ms'), 'the playground shows the provider and the TTFT');
  check(/\d+ \/ \d+/.test(await text('#pg-tokens')), 'the playground shows the token counts');
  await shot('playground');
  await page.select('#pg-protocol', 'anthropic');
  await page.click('#pg-send');
  await page.waitForSelector('#pg-output[data-done=yes]');
  check((await text('#pg-status')) === '200' && (await text('#pg-output')).length > 0, 'a streamed Anthropic-protocol chat arrives in the playground');
  await page.select('#pg-protocol', 'openai');

  // Spend: the traffic above cost something against the key's budget; reset brings it to 0.
  const spentOf = async () => {
    await page.click('#nav-overview');
    await page.click('#nav-keys');
    await page.waitForSelector('tr[data-key="ui-key"] .spend');
    return Number((await text('tr[data-key="ui-key"] .spend')).replace(/^\$([0-9.,]+).*$/s, '$1').replace(/,/g, ''));
  };
  await eventually('the key to show spend', async () => (await spentOf()) > 0);
  const remaining = Number((await text('tr[data-key="ui-key"] .remaining')).replace(/[$,]/g, ''));
  check(remaining > 0 && remaining < 50, `spend and the remaining budget are shown (${await text('tr[data-key="ui-key"] .spend')}, remaining ${remaining})`);
  await shot('keys-spend');
  await page.click('tr[data-key="ui-key"] button.reset-spend');
  await eventually('the spend to be reset', async () => (await spentOf()) === 0);
  check(true, 'reset spend brings the key back to $0');

  // Disable the key: the playground gets 401.
  await page.waitForSelector('tr[data-key="ui-key"] button.toggle');
  await page.click('tr[data-key="ui-key"] button.toggle');
  await eventually('the key to show as disabled', async () => (await text('tr[data-key="ui-key"]')).includes('Enable'));
  await page.click('#nav-playground');
  await page.waitForSelector('#pg-key');
  await page.$eval('#pg-model', (e) => { e.value = ''; });
  await page.type('#pg-model', 'ui-model');
  await eventually('a 401 in the playground', async () => {
    await page.click('#pg-send');
    await page.waitForSelector('#pg-output[data-done=yes]');
    return (await text('#pg-status')) === '401';
  });
  check((await text('#pg-error')).startsWith('401'), 'the disabled key gets a 401 in the playground');
  await shot('playground-401');

  // Usage: the requests above, grouped, and the latest requests.
  await page.click('#nav-usage');
  await eventually('usage rows', async () => {
    await page.select('#usage-group', 'provider');
    await page.select('#usage-group', 'model');
    return (await page.$$('#usage-table tbody tr')).length > 0 && (await page.$$('#recent-table tbody tr')).length > 0;
  });
  check((await text('#usage-table')).includes('ui-model'), 'usage by model lists the traffic');
  check((await text('#usage-table thead')).includes('cost usd') && !!(await page.$('[data-testid=spend-chart]')), 'usage shows spend as a column and a chart');
  await shot('usage');

  // Config: the effective config, masked; a reload with a broken file shows file:line.
  await page.click('#nav-config');
  await page.waitForSelector('#config-providers');
  const configText = await page.content();
  check(configText.includes('ui-mock') && !configText.includes('sk-upstream-secret') && !configText.includes(ADMIN_KEY), 'the config page shows the providers with secrets masked');
  await shot('config');
  writeFileSync(gw.conf, `${gw.confText}\n[server\n`);
  await page.click('#reload');
  await page.waitForSelector('#reload-result.error');
  const reloadError = await text('#reload-result');
  check(reloadError.includes(`${gw.conf}:`), `a failed reload shows file:line (${reloadError.trim().split('\n')[0]})`);
  await shot('config-reload-error');
  writeFileSync(gw.conf, gw.confText);

  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
}
for (const f of cleanups.reverse()) {
  try {
    await f();
  } catch {}
}
for (const c of children) c.kill('SIGTERM');
console.log(`${passed} passed, ${failed ? 1 : 0} failed`);
console.log(`screenshots: ${shots}`);
process.exit(failed ? 1 : 0);
