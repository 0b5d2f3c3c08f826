// End to end: the official `@anthropic-ai/sdk` against llmproxy + the mock provider, once with
// an Anthropic provider behind the gateway (bypass) and once with an OpenAI one (translated).
// Run by tests/e2e/run.sh (ctest label e2e), which installs the package.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, checker, clientKey, narrowKey } from './harness.mjs';

const gw = await startGateway();
const { check, finish } = checker('anthropic_sdk');
const client = new Anthropic({ apiKey: clientKey, baseURL: gw.base, maxRetries: 0 });

// The reply the mock gives, in 5 stream deltas, and the usage it reports.
const reply = 'The gateway speaks Anthropic to every client.';
const replyHeaders = { 'x-mock-content': reply, 'x-mock-prompt-tokens': '11', 'x-mock-completion-tokens': '7' };
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const toolHeaders = { 'x-mock-tool-calls': '1', 'x-mock-tool-input': '{"city":"Paris"}', 'x-mock-content': 'Let me look.' };

// The last request the mock received, parsed.
async function upstream() { return (await gw.mock.requests()).at(-1); }

// model: what the client asks for; provider: the protocol the mock is spoken to in.
const targets = [
  { label: 'anthropic provider (bypass)', model: 'claude-mock', provider: 'anthropic' },
  { label: 'openai provider (translated)', model: 'gpt-4o', provider: 'openai' },
];

for (const { label, model, provider } of targets) {
  await check(`${label}: messages.create, text`, async () => {
    const m = await client.messages.create(
      { model, max_tokens: 256, messages: [{ role: 'user', content: 'Hello' }] },
      { headers: replyHeaders });
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    assert.equal(m.model, model);
    assert.match(m.id, /^msg_/);
    assert.deepEqual(m.content.map((b) => b.type), ['text']);
    assert.equal(m.content[0].text, reply);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.input_tokens, 11);
    assert.equal(m.usage.output_tokens, 7);
    const seen = await upstream();
    assert.equal(seen.path, provider === 'anthropic' ? '/v1/messages' : '/v1/chat/completions');
  });

  await check(`${label}: messages.stream, text events and finalMessage`, async () => {
    const deltas = [];
    const events = [];
    const stream = client.messages
      .stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Hello' }] },
        { headers: replyHeaders })
      .on('text', (delta) => deltas.push(delta))
      .on('streamEvent', (e) => events.push(e.type));
    const m = await stream.finalMessage();
    assert.equal(deltas.join(''), reply);
    assert.equal(deltas.length, 5, `text deltas: ${JSON.stringify(deltas)}`);
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(events.includes('message_delta'));
    assert.equal(m.model, model);
    assert.equal(m.content.length, 1);
    assert.equal(m.content[0].text, reply);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.input_tokens, 11);
    assert.equal(m.usage.output_tokens, 7);
  });

  await check(`${label}: tools round trip (tool_use, tool_result, answer)`, async () => {
    const question = { role: 'user', content: 'What is the weather in Paris?' };
    const first = await client.messages.create(
      { model, max_tokens: 256, tools: [weatherTool], messages: [question] },
      { headers: toolHeaders });
    assert.equal(first.stop_reason, 'tool_use');
    assert.deepEqual(first.content.map((b) => b.type), ['text', 'tool_use']);
    assert.equal(first.content[0].text, 'Let me look.');
    const call = first.content[1];
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, { city: 'Paris' });
    assert.ok(call.id.length > 0);
    // The tools reached the provider in its own protocol.
    const asked = (await upstream()).json;
    if (provider === 'anthropic') assert.equal(asked.tools[0].name, 'get_weather');
    else assert.equal(asked.tools[0].function.name, 'get_weather');

    const second = await client.messages.create({
      model, max_tokens: 256, tools: [weatherTool],
      messages: [question, { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18 degrees, sunny' }] }],
    }, { headers: { 'x-mock-content': 'It is 18 degrees and sunny in Paris.' } });
    assert.equal(second.stop_reason, 'end_turn');
    assert.deepEqual(second.content.map((b) => b.type), ['text']);
    assert.equal(second.content[0].text, 'It is 18 degrees and sunny in Paris.');
    // The result reached the provider tied to the call.
    const sent = (await upstream()).json;
    if (provider === 'anthropic') {
      const result = sent.messages[2].content[0];
      assert.equal(result.type, 'tool_result');
      assert.equal(result.tool_use_id, call.id);
    } else {
      const assistant = sent.messages.find((x) => x.role === 'assistant');
      assert.equal(assistant.tool_calls[0].id, call.id);
      assert.equal(assistant.tool_calls[0].function.name, 'get_weather');
      assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), { city: 'Paris' });
      const result = sent.messages.find((x) => x.role === 'tool');
      assert.equal(result.tool_call_id, call.id);
      assert.match(JSON.stringify(result.content), /18 degrees, sunny/);
    }
  });

  await check(`${label}: messages.stream with a tool call`, async () => {
    const json = [];
    const stream = client.messages
      .stream({ model, max_tokens: 256, tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather in Paris?' }] }, { headers: toolHeaders })
      .on('inputJson', (piece) => json.push(piece));
    const m = await stream.finalMessage();
    assert.equal(m.stop_reason, 'tool_use');
    assert.deepEqual(m.content.map((b) => b.type), ['text', 'tool_use']);
    assert.equal(m.content[0].text, 'Let me look.');
    assert.equal(m.content[1].name, 'get_weather');
    assert.deepEqual(m.content[1].input, { city: 'Paris' });
    assert.deepEqual(JSON.parse(json.join('')), { city: 'Paris' });
  });

  await check(`${label}: thinking block first, streamed with its events`, async () => {
    const thinking = [];
    const stream = client.messages
      .stream({ model, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Think, then answer.' }] }, { headers: replyHeaders })
      .on('thinking', (delta) => thinking.push(delta));
    const m = await stream.finalMessage();
    assert.deepEqual(m.content.map((b) => b.type), ['thinking', 'text']);
    assert.ok(m.content[0].thinking.length > 0);
    assert.equal(thinking.join(''), m.content[0].thinking);
    if (provider === 'anthropic') assert.match(m.content[0].signature, /^sig_mock_/);
    assert.equal(m.content[1].text, reply);
  });

  await check(`${label}: max_tokens stop reason`, async () => {
    const m = await client.messages.create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'Hello' }] },
      { headers: { ...replyHeaders, 'x-mock-stop-reason': 'max_tokens' } });
    assert.equal(m.stop_reason, 'max_tokens');
    assert.equal(m.content[0].text, reply);
  });

  await check(`${label}: messages.countTokens`, async () => {
    const r = await client.messages.countTokens({
      model, messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    // The mock counts the text (29 bytes); the gateway's own estimate, for a model with no
    // Anthropic provider, every string value of the body: model, role and text.
    const bytes = provider === 'anthropic' ? 29 : model.length + 'user'.length + 29;
    assert.deepEqual(r, { input_tokens: Math.ceil(bytes / 4) });
  });

  await check(`${label}: unknown model is NotFoundError`, async () => {
    await assert.rejects(
      client.messages.create({ model: `${model}-nope`, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof Anthropic.NotFoundError && e.status === 404 && e.error?.error?.type === 'not_found_error');
  });

  for (const [status, cls, type] of [
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [529, Anthropic.OverloadedError, 'overloaded_error'],
  ]) {
    await check(`${label}: provider ${status} is ${cls.name}`, async () => {
      await assert.rejects(
        client.messages.create({ model, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] },
          { headers: { 'x-mock-status': String(status) } }),
        (e) => {
          assert.ok(e instanceof cls, `${e.constructor.name}: ${e.message}`);
          assert.ok(e instanceof Anthropic.APIError);
          assert.equal(e.status, status);
          assert.equal(e.error?.type, 'error');
          assert.equal(e.error?.error?.type, type);
          return true;
        });
    });
  }

  await check(`${label}: an error after the first event ends the stream with an APIError`, async () => {
    const deltas = [];
    const stream = client.messages
      .stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Hello' }] },
        { headers: { ...replyHeaders, 'x-mock-error-after': '2' } })
      .on('text', (d) => deltas.push(d));
    // The mock's mid-stream error: Anthropic's overloaded_error, or OpenAI's server_error, which
    // an Anthropic client reads as api_error.
    await assert.rejects(stream.finalMessage(), (e) => {
      assert.ok(e instanceof Anthropic.APIError, `${e.constructor.name}: ${e.message}`);
      assert.equal(e.error?.type, 'error');
      assert.equal(e.error?.error?.type, provider === 'anthropic' ? 'overloaded_error' : 'api_error');
      return true;
    });
    assert.equal(deltas.length, 2);
    assert.ok(reply.startsWith(deltas.join('')));
  });
}

await check('models.list in Anthropic shape', async () => {
  const models = [];
  for await (const m of client.models.list()) models.push(m);
  assert.deepEqual(models.map((m) => m.id).sort(),
    ['claude-mock', 'gpt-3.5-turbo-instruct', 'gpt-4o', 'gpt-compat', 'text-embedding-3-small']);
  for (const m of models) {
    assert.equal(m.type, 'model');
    assert.equal(typeof m.display_name, 'string');
    assert.equal(typeof m.created_at, 'string');
  }
  const first = await client.models.list();
  assert.equal(first.has_more, false);
  assert.equal(first.first_id, first.data[0].id);
  assert.equal(first.last_id, first.data.at(-1).id);
});

await check('bad key is AuthenticationError', async () => {
  const bad = new Anthropic({ apiKey: 'sk-wrong', baseURL: gw.base, maxRetries: 0 });
  await assert.rejects(
    bad.messages.create({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.AuthenticationError && e.status === 401 && e.error?.error?.type === 'authentication_error');
});

await check('a bearer token authenticates too (authToken)', async () => {
  const bearer = new Anthropic({ apiKey: null, authToken: clientKey, baseURL: gw.base, maxRetries: 0 });
  const m = await bearer.messages.create({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] },
    { headers: replyHeaders });
  assert.equal(m.content[0].text, reply);
});

await check('model not allowed for the key is PermissionDeniedError', async () => {
  const narrow = new Anthropic({ apiKey: narrowKey, baseURL: gw.base, maxRetries: 0 });
  await assert.rejects(
    narrow.messages.create({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.PermissionDeniedError && e.status === 403 && e.error?.error?.type === 'permission_error');
});

await check('missing max_tokens is BadRequestError', async () => {
  await assert.rejects(
    client.messages.create({ model: 'claude-mock', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.BadRequestError && e.status === 400 && e.error?.error?.type === 'invalid_request_error');
});

finish(gw);
