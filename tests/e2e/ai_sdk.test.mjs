// End to end: the Vercel `ai` SDK with `@ai-sdk/anthropic` and `@ai-sdk/openai` (its default
// Responses model and its chat model) against llmproxy + the mock provider: generateText,
// streamText and a tool loop, on providers of the client's own protocol and of the others.
// Run by tests/e2e/run.sh (ctest label e2e), which installs the packages.
import assert from 'node:assert/strict';
import { generateText, streamText, tool, jsonSchema, stepCountIs } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { startGateway, checker, clientKey } from './harness.mjs';

globalThis.AI_SDK_LOG_WARNINGS = false;
const gw = await startGateway();
const { check, finish } = checker('ai_sdk');

// The mock answers with tool calls when asked to by x-mock-tool-calls. This fetch asks for one
// call whenever the conversation has no tool result yet, the way a model calls a tool until it
// knows the answer; every request also gets the fixed usage numbers.
let wantTools = false;
let clientBody = '';  // the last body the SDK sent (before the gateway)
const scriptedFetch = (url, init) => {
  const headers = new Headers(init?.headers);
  headers.set('x-mock-prompt-tokens', '11');
  headers.set('x-mock-completion-tokens', '7');
  const body = typeof init?.body === 'string' ? init.body : '';
  clientBody = body;
  const hasResult = /"(tool_result|function_call_output)"|"role":"tool"/.test(body);
  if (wantTools && !hasResult) {
    headers.set('x-mock-tool-calls', '1');
    headers.set('x-mock-tool-input', '{"city":"Paris"}');
    headers.set('x-mock-content', 'Let me look.');
  } else {
    headers.set('x-mock-content', wantTools ? 'Sunny, 18 degrees in Paris.' : reply);
  }
  return fetch(url, { ...init, headers });
};
const reply = 'Hello through the gateway.';

const anthropic = createAnthropic({ baseURL: `${gw.base}/v1`, apiKey: clientKey, fetch: scriptedFetch });
const openai = createOpenAI({ baseURL: `${gw.base}/v1`, apiKey: clientKey, fetch: scriptedFetch });

const upstream = async () => (await gw.mock.requests()).at(-1);
const upstreamPath = { openai: '/v1/responses', chat: '/v1/chat/completions', anthropic: '/v1/messages' };

// client: which SDK model; provider: the protocol the mock is spoken to in.
const targets = [
  { label: 'anthropic → anthropic provider (bypass)', model: () => anthropic('claude-mock'), provider: 'anthropic' },
  { label: 'anthropic → openai provider (translated)', model: () => anthropic('gpt-4o'), provider: 'chat' },
  { label: 'openai responses → openai provider (bypass)', model: () => openai('gpt-4o'), provider: 'openai' },
  { label: 'openai responses → chat provider (translated)', model: () => openai('gpt-compat'), provider: 'chat', responses: true },
  { label: 'openai responses → anthropic provider (translated)', model: () => openai('claude-mock'), provider: 'anthropic', responses: true },
  { label: 'openai chat → openai provider (bypass)', model: () => openai.chat('gpt-4o'), provider: 'chat' },
  { label: 'openai chat → anthropic provider (translated)', model: () => openai.chat('claude-mock'), provider: 'anthropic' },
];

const weather = (calls) => tool({
  description: 'Current weather for a city',
  inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
  execute: async ({ city }) => { calls.push(city); return { city, degrees: 18, sky: 'sunny' }; },
});

for (const { label, model, provider, responses } of targets) {
  await check(`${label}: generateText`, async () => {
    wantTools = false;
    const r = await generateText({ model: model(), system: 'Be brief.', prompt: 'Hello', maxOutputTokens: 256, maxRetries: 0 });
    assert.equal(r.text, reply);
    assert.equal(r.finishReason, 'stop');
    assert.equal(r.usage.inputTokens, 11);
    assert.equal(r.usage.outputTokens, 7);
    assert.equal((await upstream()).path, upstreamPath[provider]);
  });

  await check(`${label}: streamText`, async () => {
    wantTools = false;
    const errors = [];
    const r = streamText({ model: model(), prompt: 'Hello', maxOutputTokens: 256, maxRetries: 0, onError: ({ error }) => errors.push(error) });
    const pieces = [];
    for await (const piece of r.textStream) pieces.push(piece);
    assert.deepEqual(errors.map(String), []);
    assert.equal(pieces.join(''), reply);
    assert.ok(pieces.length >= 2, `pieces ${JSON.stringify(pieces)}`);
    assert.equal(await r.text, reply);
    assert.equal(await r.finishReason, 'stop');
    const usage = await r.usage;
    assert.equal(usage.inputTokens, 11);
    assert.equal(usage.outputTokens, 7);
  });

  // Responses models through translation: the tool loop with store left at its default (the
  // SDK sends earlier output back as item_reference ids) and with store: false (it sends the
  // items themselves).
  const stores = responses ? ['default', false] : ['default'];
  for (const store of stores) for (const streaming of [false, true]) {
    const storeLabel = responses ? `, store ${store}` : '';
    await check(`${label}: tool loop (${streaming ? 'streamText' : 'generateText'}, stopWhen${storeLabel})`, async () => {
      wantTools = true;
      const calls = [];
      const options = {
        model: model(), prompt: 'What is the weather in Paris?', tools: { weather: weather(calls) },
        stopWhen: stepCountIs(3), maxOutputTokens: 256, maxRetries: 0,
        ...(store === false && { providerOptions: { openai: { store: false } } }),
      };
      let r;
      if (streaming) {
        const errors = [];
        const s = streamText({ ...options, onError: ({ error }) => errors.push(error) });
        let text = '';
        for await (const piece of s.textStream) text += piece;
        assert.deepEqual(errors.map(String), []);
        r = { text, steps: await s.steps, totalUsage: await s.totalUsage, finishReason: await s.finishReason };
      } else {
        r = await generateText(options);
      }
      assert.deepEqual(calls, ['Paris']);
      assert.equal(r.steps.length, 2);
      assert.equal(r.steps[0].finishReason, 'tool-calls');
      assert.deepEqual(r.steps[0].toolCalls.map((c) => [c.toolName, c.input]), [['weather', { city: 'Paris' }]]);
      assert.deepEqual(r.steps[0].toolResults.map((t) => t.output), [{ city: 'Paris', degrees: 18, sky: 'sunny' }]);
      assert.equal(r.steps[1].text, 'Sunny, 18 degrees in Paris.');
      assert.equal(r.finishReason, 'stop');
      assert.equal(r.totalUsage.inputTokens, 22);
      assert.equal(r.totalUsage.outputTokens, 14);
      // The second request carried the result, tied to the call, in the provider's protocol.
      const callId = r.steps[0].toolCalls[0].toolCallId;
      const sent = (await upstream()).json;
      if (provider === 'openai') {
        const output = sent.input.find((i) => i.type === 'function_call_output');
        assert.equal(output.call_id, callId);
        assert.match(output.output, /sunny/);
      } else if (provider === 'chat') {
        const result = sent.messages.find((m) => m.role === 'tool');
        assert.equal(result.tool_call_id, callId);
        assert.match(JSON.stringify(result.content), /sunny/);
      } else {
        const result = sent.messages.at(-1).content.find((b) => b.type === 'tool_result');
        assert.equal(result.tool_use_id, callId);
        assert.match(JSON.stringify(result.content), /sunny/);
      }
      if (responses && store === 'default') {
        // The SDK sent the text before the call by reference; an answer that was not streamed
        // gave it an id that carries the item, a streamed one was kept in the node's item
        // store, so either way the provider got the text back.
        assert.match(clientBody, /"item_reference"/);
        const assistant = JSON.stringify(sent.messages.find((m) => m.role === 'assistant'));
        assert.match(assistant, /Let me look\./);
      }
    });
  }

  // A multi-turn chat (useChat's way): streamText, then the conversation so far plus a new
  // question, with store left at its default, so the first answer comes back by reference.
  if (responses) {
    await check(`${label}: two-turn streamText conversation (store default)`, async () => {
      wantTools = false;
      const stream = async (options) => {
        const errors = [];
        const s = streamText({ model: model(), maxOutputTokens: 256, maxRetries: 0, ...options, onError: ({ error }) => errors.push(error) });
        let text = '';
        for await (const piece of s.textStream) text += piece;
        assert.deepEqual(errors.map(String), []);
        return { text, response: await s.response };
      };
      const first = await stream({ prompt: 'Hello' });
      assert.equal(first.text, reply);
      const messages = [{ role: 'user', content: 'Hello' }, ...first.response.messages, { role: 'user', content: 'And then?' }];
      const second = await stream({ messages });
      assert.equal(second.text, reply);
      assert.match(clientBody, /"item_reference"/);
      const sent = (await upstream()).json;
      const assistant = sent.messages.find((m) => m.role === 'assistant');
      assert.ok(assistant, JSON.stringify(sent));
      assert.match(JSON.stringify(assistant), /Hello through the gateway\./);
      assert.match(JSON.stringify(sent.messages.at(-1)), /And then\?/);
    });
  }
}

// A reference the gateway cannot rebuild (an id it never wrote, as for an item streamed by
// another node or evicted from the item store) is the client's 400 naming the way out.
await check('openai responses → chat provider (translated): unresolvable item_reference is a 400 naming store: false', async () => {
  wantTools = false;
  const r = await fetch(`${gw.base}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-compat', input: [
      { role: 'user', content: 'Hello' }, { type: 'item_reference', id: 'msg_streamed_0' },
      { role: 'user', content: 'And then?' }] }),
  });
  assert.equal(r.status, 400);
  const body = await r.json();
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.param, 'input[1]');
  assert.match(body.error.message, /store: false/);
});

finish(gw);
