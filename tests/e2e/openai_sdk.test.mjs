// End to end: the official `openai` npm package against llmproxy + the mock provider.
// Run by tests/e2e/run.sh (ctest label e2e), which installs the package.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [proxyBin, mockBin] = process.argv.slice(2);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitFor(url, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { const r = await fetch(url); if (r.ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready: ${url}`);
}

const dir = mkdtempSync(join(tmpdir(), 'llmproxy-e2e-'));
const [api, admin, mockPort] = [await freePort(), await freePort(), await freePort()];
const key = 'sk-e2e-client';
writeFileSync(join(dir, 'llmproxy.conf'), `
[server]
listen = ["127.0.0.1:${api}"]
admin_listen = "127.0.0.1:${admin}"
workers = 2
pid_file = "${dir}/llmproxy.pid"
[log]
error_log = "${dir}/error.log"
[[provider]]
id = "mock"
type = "openai-compatible"
api_base = "http://127.0.0.1:${mockPort}/v1"
api_key = "pk-mock"
models = ["gpt-4o", "text-embedding-3-small", "gpt-3.5-turbo-instruct"]
[[key]]
name = "e2e"
key = "${key}"
[[key]]
name = "narrow"
key = "sk-e2e-narrow"
allowed_models = ["text-embedding-*"]
`);

const children = [];
const cleanup = () => { for (const c of children) c.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); };
process.on('exit', cleanup);
children.push(spawn(mockBin, ['--host', '127.0.0.1', '--port', String(mockPort)], { stdio: 'ignore' }));
children.push(spawn(proxyBin, ['-g', '-c', join(dir, 'llmproxy.conf')], { stdio: 'inherit' }));
await waitFor(`http://127.0.0.1:${api}/health`);

const client = new OpenAI({ apiKey: key, baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });
let failures = 0;
async function check(name, fn) {
  try { await fn(); console.log(`ok   ${name}`); }
  catch (e) { failures++; console.log(`FAIL ${name}: ${e.stack || e}`); }
}

await check('chat, non-streaming', async () => {
  const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(r.model, 'gpt-4o');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.ok(r.usage.total_tokens > 0);
});
await check('chat, streaming', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  let text = '', chunks = 0;
  for await (const chunk of stream) { chunks++; text += chunk.choices[0]?.delta?.content ?? ''; }
  assert.ok(chunks >= 2, `chunks ${chunks}`);
  assert.ok(text.length > 0);
});
await check('completions', async () => {
  const r = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' });
  assert.ok(r.choices.length > 0);
});
await check('embeddings', async () => {
  const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
  assert.ok(r.data[0].embedding.length > 0);
});
await check('models', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids.sort(), ['gpt-3.5-turbo-instruct', 'gpt-4o', 'text-embedding-3-small']);
});
await check('401 AuthenticationError', async () => {
  const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
});
await check('403 PermissionDeniedError', async () => {
  const narrow = new OpenAI({ apiKey: 'sk-e2e-narrow', baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });
  await assert.rejects(narrow.chat.completions.create({ model: 'gpt-4o', messages: [] }),
    (e) => e instanceof OpenAI.PermissionDeniedError && e.code === 'model_not_allowed');
});
await check('404 NotFoundError', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [] }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
});
await check('400 BadRequestError', async () => {
  await assert.rejects(client.chat.completions.create({ messages: [] }),
    (e) => e instanceof OpenAI.BadRequestError);
});

cleanup();
process.exit(failures ? 1 : 0);
