// End to end: the official `openai` npm package against llmproxy + the mock provider: chat,
// completions, embeddings and models on an OpenAI provider; the Responses API on an OpenAI
// provider (bypass), a chat-only one and an Anthropic one (translated); chat on an Anthropic
// provider (translated). Run by tests/e2e/run.sh (ctest label e2e), which installs the package.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway, checker, clientKey as key, narrowKey, budgetKey } from './harness.mjs';

const gw = await startGateway();
const { check, finish } = checker('openai_sdk');
const api = gw.api;
const client = new OpenAI({ apiKey: key, baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });

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
  assert.deepEqual(ids.sort(),
    ['claude-mock', 'gpt-3.5-turbo-instruct', 'gpt-4o', 'gpt-compat', 'text-embedding-3-small']);
});
await check('401 AuthenticationError', async () => {
  const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
});
await check('403 PermissionDeniedError', async () => {
  const narrow = new OpenAI({ apiKey: narrowKey, baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });
  await assert.rejects(narrow.chat.completions.create({ model: 'gpt-4o', messages: [] }),
    (e) => e instanceof OpenAI.PermissionDeniedError && e.code === 'model_not_allowed');
});
await check('429 RateLimitError with a readable message over budget', async () => {
  const budgeted = new OpenAI({ apiKey: budgetKey, baseURL: `http://127.0.0.1:${api}/v1`, maxRetries: 0 });
  const first = await budgeted.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  assert.equal(first.choices.length, 1);
  await assert.rejects(budgeted.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }),
    (e) => e instanceof OpenAI.RateLimitError && e.status === 429 && e.code === 'budget_exceeded' &&
      e.message.includes('Budget exceeded') && e.message.includes('$0.000001'));
});
await check('404 NotFoundError', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [] }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
});
await check('400 BadRequestError', async () => {
  await assert.rejects(client.chat.completions.create({ messages: [] }),
    (e) => e instanceof OpenAI.BadRequestError);
});

// The reply the mock gives, in 5 stream deltas, and the usage it reports.
const reply = 'One gateway, every protocol.';
const replyHeaders = { 'x-mock-content': reply, 'x-mock-prompt-tokens': '11', 'x-mock-completion-tokens': '7' };
const toolHeaders = { ...replyHeaders, 'x-mock-tool-calls': '1', 'x-mock-tool-input': '{"city":"Paris"}', 'x-mock-content': 'Let me look.' };
const weatherParameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const upstream = async () => (await gw.mock.requests()).at(-1);
const upstreamPath = { openai: '/v1/responses', chat: '/v1/chat/completions', anthropic: '/v1/messages' };

// The Responses API: gpt-4o is on a type "openai" provider (bypass), gpt-compat on an
// openai-compatible one without Responses (translated to chat), claude-mock on an Anthropic one.
for (const { label, model, provider } of [
  { label: 'openai provider (bypass)', model: 'gpt-4o', provider: 'openai' },
  { label: 'chat provider (translated)', model: 'gpt-compat', provider: 'chat' },
  { label: 'anthropic provider (translated)', model: 'claude-mock', provider: 'anthropic' },
]) {
  const responsesTool = { type: 'function', name: 'get_weather', description: 'Current weather', parameters: weatherParameters };

  await check(`responses.create, ${label}`, async () => {
    const r = await client.responses.create({ model, input: 'Hello', instructions: 'Be brief.' }, { headers: replyHeaders });
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.model, model);
    assert.equal(r.output_text, reply);
    const messages = r.output.filter((i) => i.type === 'message');
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0].content.map((c) => c.type), ['output_text']);
    assert.equal(r.usage.input_tokens, 11);
    assert.equal(r.usage.output_tokens, 7);
    assert.equal(r.usage.total_tokens, 18);
    assert.equal((await upstream()).path, upstreamPath[provider]);
  });

  await check(`responses.create, function call round trip, ${label}`, async () => {
    const first = await client.responses.create(
      { model, input: 'Weather in Paris?', tools: [responsesTool] }, { headers: toolHeaders });
    assert.equal(first.status, 'completed');
    const calls = first.output.filter((i) => i.type === 'function_call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].arguments), { city: 'Paris' });
    assert.ok(calls[0].call_id.length > 0);
    assert.equal(first.output_text, 'Let me look.');

    const second = await client.responses.create({
      model, tools: [responsesTool],
      input: [{ role: 'user', content: 'Weather in Paris?' }, ...first.output,
        { type: 'function_call_output', call_id: calls[0].call_id, output: '18 degrees, sunny' }],
    }, { headers: { 'x-mock-content': 'Sunny, 18 degrees.' } });
    assert.equal(second.output_text, 'Sunny, 18 degrees.');
    assert.equal(second.output.filter((i) => i.type === 'function_call').length, 0);
    // The result reached the provider tied to its call, in the provider's protocol.
    const sent = (await upstream()).json;
    if (provider === 'openai') {
      assert.equal(sent.input.at(-1).call_id, calls[0].call_id);
    } else if (provider === 'chat') {
      const assistant = sent.messages.find((m) => m.role === 'assistant' && m.tool_calls);
      assert.equal(assistant.tool_calls[0].id, calls[0].call_id);
      const result = sent.messages.find((m) => m.role === 'tool');
      assert.equal(result.tool_call_id, calls[0].call_id);
      assert.match(JSON.stringify(result.content), /18 degrees, sunny/);
    } else {
      const use = sent.messages.flatMap((m) => Array.isArray(m.content) ? m.content : []).find((b) => b.type === 'tool_use');
      assert.equal(use.id, calls[0].call_id);
      assert.deepEqual(use.input, { city: 'Paris' });
      const result = sent.messages.at(-1).content.find((b) => b.type === 'tool_result');
      assert.equal(result.tool_use_id, calls[0].call_id);
      assert.match(JSON.stringify(result.content), /18 degrees, sunny/);
    }
  });

  await check(`responses.create, max_output_tokens is incomplete, ${label}`, async () => {
    const r = await client.responses.create({ model, input: 'Hello', max_output_tokens: 16 },
      { headers: { ...replyHeaders, 'x-mock-stop-reason': 'max_tokens' } });
    assert.equal(r.status, 'incomplete');
    assert.equal(r.incomplete_details?.reason, 'max_output_tokens');
    assert.equal(r.output_text, reply);
  });

  await check(`responses.stream, events and finalResponse, ${label}`, async () => {
    const types = [], deltas = [], sequence = [];
    const stream = client.responses.stream({ model, input: 'Hello' }, { headers: replyHeaders })
      .on('event', (e) => { types.push(e.type); sequence.push(e.sequence_number); })
      .on('response.output_text.delta', (e) => deltas.push(e.delta));
    const r = await stream.finalResponse();
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    for (const t of ['response.output_item.added', 'response.content_part.added', 'response.output_text.done',
      'response.content_part.done', 'response.output_item.done']) assert.ok(types.includes(t), `no ${t}: ${types}`);
    assert.ok(sequence.every((n, i) => Number.isInteger(n) && (i === 0 || n > sequence[i - 1])), `sequence_number ${sequence}`);
    assert.equal(deltas.length, 5);
    assert.equal(deltas.join(''), reply);
    assert.equal(r.model, model);
    assert.equal(r.status, 'completed');
    // openai@4's finalResponse() has no output_text; the message item's parts carry the text.
    assert.equal(r.output.filter((i) => i.type === 'message').flatMap((i) => i.content).map((c) => c.text).join(''), reply);
    assert.equal(r.usage.input_tokens, 11);
    assert.equal(r.usage.output_tokens, 7);
  });

  await check(`responses.stream, function call, ${label}`, async () => {
    const pieces = [];
    const stream = client.responses.stream({ model, input: 'Weather?', tools: [responsesTool] }, { headers: toolHeaders })
      .on('response.function_call_arguments.delta', (e) => pieces.push(e.delta));
    const r = await stream.finalResponse();
    const calls = r.output.filter((i) => i.type === 'function_call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].arguments), { city: 'Paris' });
    assert.deepEqual(JSON.parse(pieces.join('')), { city: 'Paris' });
  });

  for (const [status, cls] of [[429, OpenAI.RateLimitError], [500, OpenAI.InternalServerError]]) {
    await check(`responses.create, provider ${status} is ${cls.name}, ${label}`, async () => {
      await assert.rejects(client.responses.create({ model, input: 'x' }, { headers: { 'x-mock-status': String(status) } }),
        (e) => e instanceof cls && e.status === status);
    });
  }
}

// Chat Completions on the OpenAI provider (bypass) and on the Anthropic one (translated).
const chatTool = { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weatherParameters } };
for (const { label, model, provider } of [
  { label: 'openai provider (bypass)', model: 'gpt-4o', provider: 'openai' },
  { label: 'anthropic provider (translated)', model: 'claude-mock', provider: 'anthropic' },
]) {
  await check(`chat, text and usage, ${label}`, async () => {
    const r = await client.chat.completions.create(
      { model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] },
      { headers: replyHeaders });
    assert.equal(r.model, model);
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, reply);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.deepEqual([r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens], [11, 7, 18]);
    assert.equal((await upstream()).path, provider === 'openai' ? '/v1/chat/completions' : '/v1/messages');
  });

  await check(`chat, max_tokens finish reason is length, ${label}`, async () => {
    const r = await client.chat.completions.create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'Hello' }] },
      { headers: { ...replyHeaders, 'x-mock-stop-reason': 'max_tokens' } });
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.equal(r.choices[0].message.content, reply);
  });

  await check(`chat stream with tools and include_usage, ${label}`, async () => {
    const stream = await client.chat.completions.create({
      model, stream: true, stream_options: { include_usage: true }, tools: [chatTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    }, { headers: toolHeaders });
    const ids = new Set(), models = new Set(), finish = [];
    let text = '', usage = null, afterUsage = 0;
    const calls = [];
    for await (const chunk of stream) {
      ids.add(chunk.id); models.add(chunk.model);
      if (usage) afterUsage++;
      if (chunk.usage) { usage = chunk.usage; assert.deepEqual(chunk.choices, []); continue; }
      const choice = chunk.choices[0];
      text += choice.delta.content ?? '';
      for (const tc of choice.delta.tool_calls ?? []) {
        calls[tc.index] ??= { id: '', name: '', arguments: '' };
        if (tc.id) calls[tc.index].id = tc.id;
        if (tc.function?.name) calls[tc.index].name += tc.function.name;
        calls[tc.index].arguments += tc.function?.arguments ?? '';
      }
      if (choice.finish_reason) finish.push(choice.finish_reason);
    }
    assert.equal(ids.size, 1, `ids ${[...ids]}`);
    assert.deepEqual([...models], [model]);
    assert.equal(text, 'Let me look.');
    assert.equal(calls.length, 1);
    assert.ok(calls[0].id.length > 0);
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].arguments), { city: 'Paris' });
    assert.deepEqual(finish, ['tool_calls']);
    assert.ok(usage, 'no usage chunk');
    assert.equal(afterUsage, 0, 'the usage chunk is the last');
    assert.deepEqual([usage.prompt_tokens, usage.completion_tokens, usage.total_tokens], [11, 7, 18]);
  });

  await check(`chat stream without include_usage has no usage chunk, ${label}`, async () => {
    const stream = await client.chat.completions.create(
      { model, stream: true, messages: [{ role: 'user', content: 'Hello' }] }, { headers: replyHeaders });
    let text = '', usageChunks = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usageChunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(text, reply);
    assert.equal(usageChunks, 0);
  });

  await check(`chat tool round trip with the stream helper, ${label}`, async () => {
    const question = { role: 'user', content: 'Weather in Paris?' };
    const first = await client.beta.chat.completions
      .stream({ model, tools: [chatTool], messages: [question] }, { headers: toolHeaders })
      .finalChatCompletion();
    const message = first.choices[0].message;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(message.tool_calls.length, 1);
    const call = message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });

    const second = await client.chat.completions.create({
      model, tools: [chatTool],
      messages: [question, message, { role: 'tool', tool_call_id: call.id, content: '18 degrees, sunny' }],
    }, { headers: { 'x-mock-content': 'Sunny, 18 degrees.' } });
    assert.equal(second.choices[0].message.content, 'Sunny, 18 degrees.');
    assert.equal(second.choices[0].finish_reason, 'stop');
    const sent = (await upstream()).json;
    if (provider === 'openai') {
      assert.equal(sent.messages.at(-1).tool_call_id, call.id);
    } else {
      const use = sent.messages[1].content.find((b) => b.type === 'tool_use');
      assert.equal(use.id, call.id);
      assert.deepEqual(use.input, { city: 'Paris' });
      const result = sent.messages[2].content.find((b) => b.type === 'tool_result');
      assert.equal(sent.messages[2].role, 'user');
      assert.equal(result.tool_use_id, call.id);
      assert.match(JSON.stringify(result.content), /18 degrees, sunny/);
    }
  });
}

finish(gw);
