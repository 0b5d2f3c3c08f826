// Shared by the *.test.mjs files: starts one mock provider and llmproxy in front of it, with a
// provider of each protocol, and counts the checks that fail.
//
// Models, all served by the same mock process (it speaks every protocol):
//   gpt-4o, text-embedding-3-small, gpt-3.5-turbo-instruct   provider "openai" (type openai):
//        chat and Responses clients go through unchanged (bypass)
//   gpt-compat          provider "compat" (openai-compatible, no Responses): Responses clients
//        are translated to chat
//   claude-mock         provider "anthropic" (type anthropic): Anthropic clients go through,
//        chat and Responses clients are translated
// An Anthropic client asking for gpt-4o or gpt-compat is translated to chat.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const clientKey = 'sk-e2e-client';
export const narrowKey = 'sk-e2e-narrow';
// A key with a budget of one micro-dollar: its first request is admitted and spends it.
export const budgetKey = 'sk-e2e-budget';

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitFor(url, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { const r = await fetch(url); if (r.ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready: ${url}`);
}

// Starts the mock and the gateway; resolves to { api, base, mock, stop() }. `base` is the
// gateway's origin without a path ("http://127.0.0.1:PORT").
export async function startGateway() {
  const [proxyBin, mockBin] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'llmproxy-e2e-'));
  const [api, admin, mockPort] = [await freePort(), await freePort(), await freePort()];
  const mockBase = `http://127.0.0.1:${mockPort}/v1`;
  writeFileSync(join(dir, 'llmproxy.conf'), `
[server]
listen = ["127.0.0.1:${api}"]
admin_listen = "127.0.0.1:${admin}"
workers = 2
pid_file = "${dir}/llmproxy.pid"
${process.getuid() === 0 ? 'user = "root"' : ''}
[log]
error_log = "${dir}/error.log"
[[provider]]
id = "openai"
type = "openai"
api_base = "${mockBase}"
api_key = "pk-mock"
models = ["gpt-4o", "text-embedding-3-small", "gpt-3.5-turbo-instruct"]
[[provider]]
id = "compat"
type = "openai-compatible"
api_base = "${mockBase}"
api_key = "pk-mock"
models = ["gpt-compat"]
[[provider]]
id = "anthropic"
type = "anthropic"
api_base = "${mockBase}"
api_key = "ak-mock"
models = ["claude-mock"]
[[key]]
name = "e2e"
key = "${clientKey}"
[[key]]
name = "narrow"
key = "${narrowKey}"
allowed_models = ["text-embedding-*"]
[[key]]
name = "budget"
key = "${budgetKey}"
max_budget = 0.000001
[[price]]
model = "gpt-4o"
input_per_mtok = 2.5
output_per_mtok = 10
`);
  const children = [];
  const stop = () => {
    for (const c of children) c.kill('SIGKILL');
    children.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  children.push(spawn(mockBin, ['--host', '127.0.0.1', '--port', String(mockPort)], { stdio: 'ignore' }));
  children.push(spawn(proxyBin, ['-g', '-c', join(dir, 'llmproxy.conf')], { stdio: 'inherit' }));
  await waitFor(`http://127.0.0.1:${api}/health`);
  await waitFor(`http://127.0.0.1:${mockPort}/__mock/stats`);
  const mock = {
    // The requests the mock received, oldest first, bodies parsed.
    async requests() {
      const r = await fetch(`http://127.0.0.1:${mockPort}/__mock/requests`);
      return (await r.json()).map((q) => ({ ...q, json: q.body ? JSON.parse(q.body) : null }));
    },
    async reset() { await fetch(`http://127.0.0.1:${mockPort}/__mock/reset`, { method: 'POST' }); },
  };
  const errorLog = () => { try { return readFileSync(join(dir, 'error.log'), 'utf8'); } catch { return ''; } };
  return { api, base: `http://127.0.0.1:${api}`, mock, stop, errorLog };
}

// Runs named checks one after the other and reports; finish() exits 1 if any failed.
export function checker(file) {
  let failures = 0, passed = 0;
  return {
    async check(name, fn) {
      try { await fn(); passed++; console.log(`ok   ${file}: ${name}`); }
      catch (e) { failures++; console.log(`FAIL ${file}: ${name}: ${e.stack || e}`); }
    },
    finish(gateway) {
      console.log(`${file}: ${passed} passed, ${failures} failed`);
      gateway?.stop();
      process.exit(failures ? 1 : 0);
    },
  };
}
