// Playground: a chat through the real proxy pipeline with a client key, streamed, showing
// TTFT, tokens and the provider that answered. Requests go to the admin listener's
// /playground/v1/... routes (same origin: no CORS on the API port). The client key is kept in
// memory only, never in the browser's storage.
import { useEffect, useState } from 'preact/hooks';
import { fmtNum } from '../api.js';

// Splits an SSE byte stream into events ({event, data}) as chunks arrive.
async function* sseEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { event, data: data.join('\n') };
    }
  }
}

function requestOf(protocol, model, prompt, stream) {
  const messages = [{ role: 'user', content: prompt }];
  if (protocol === 'anthropic')
    return { path: '/playground/v1/messages', body: { model, max_tokens: 1024, messages, stream } };
  const body = { model, messages, stream };
  if (stream) body.stream_options = { include_usage: true };
  return { path: '/playground/v1/chat/completions', body };
}

// Text and usage out of one parsed event or one whole answer, in either protocol.
function deltaOf(protocol, obj) {
  if (protocol === 'anthropic') {
    if (obj.type === 'content_block_delta' && obj.delta && obj.delta.type === 'text_delta') return { text: obj.delta.text };
    if (obj.type === 'message_start' && obj.message && obj.message.usage) return { input: obj.message.usage.input_tokens };
    if (obj.type === 'message_delta' && obj.usage) return { output: obj.usage.output_tokens };
    if (obj.type === 'message') return { text: (obj.content || []).map((c) => c.text || '').join(''), input: obj.usage && obj.usage.input_tokens, output: obj.usage && obj.usage.output_tokens };
    if (obj.type === 'error') return { error: obj.error && obj.error.message };
    return {};
  }
  const out = {};
  const choice = obj.choices && obj.choices[0];
  if (choice && choice.delta && choice.delta.content) out.text = choice.delta.content;
  if (choice && choice.message) out.text = choice.message.content || '';
  if (obj.usage) {
    out.input = obj.usage.prompt_tokens;
    out.output = obj.usage.completion_tokens;
  }
  if (obj.error) out.error = obj.error.message;
  return out;
}

export function Playground({ memory }) {
  const [key, setKey] = useState(memory.clientKey || '');
  const [models, setModels] = useState([]);
  const [model, setModel] = useState('');
  const [protocol, setProtocol] = useState('openai');
  const [stream, setStream] = useState(true);
  const [prompt, setPrompt] = useState('Say hello in five words.');
  const [run, setRun] = useState(null);
  useEffect(() => {
    memory.clientKey = key;
    if (!key) return;
    fetch('/playground/v1/models', { headers: { Authorization: `Bearer ${key}` }, cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : { data: [] }))
      .then((r) => {
        const ids = (r.data || []).map((m) => m.id);
        setModels(ids);
        if (!model && ids.length) setModel(ids[0]);
      }, () => setModels([]));
  }, [key]);
  const send = async (e) => {
    e.preventDefault();
    const started = performance.now();
    const state = { status: null, provider: null, text: '', ttft: null, input: null, output: null, error: null, done: false, total: null };
    const show = () => setRun({ ...state });
    show();
    try {
      const { path, body } = requestOf(protocol, model, prompt, stream);
      const headers = { 'Content-Type': 'application/json' };
      if (protocol === 'anthropic') {
        headers['x-api-key'] = key;
        headers['anthropic-version'] = '2023-06-01';
      } else {
        headers.Authorization = `Bearer ${key}`;
      }
      const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), cache: 'no-store' });
      state.status = res.status;
      state.provider = res.headers.get('x-llmproxy-provider');
      const type = res.headers.get('content-type') || '';
      if (res.ok && type.includes('text/event-stream')) {
        for await (const ev of sseEvents(res.body)) {
          if (ev.data === '[DONE]') continue;
          let obj;
          try { obj = JSON.parse(ev.data); } catch { continue; }
          const d = deltaOf(protocol, obj);
          if (d.text) {
            if (state.ttft === null) state.ttft = performance.now() - started;
            state.text += d.text;
          }
          if (d.input !== undefined && d.input !== null) state.input = d.input;
          if (d.output !== undefined && d.output !== null) state.output = d.output;
          if (d.error) state.error = d.error;
          show();
        }
      } else {
        const text = await res.text();
        let obj = null;
        try { obj = JSON.parse(text); } catch { state.error = text; }
        if (obj) {
          const d = deltaOf(protocol, obj);
          if (res.ok) {
            state.ttft = performance.now() - started;
            state.text = d.text || '';
            state.input = d.input ?? null;
            state.output = d.output ?? null;
          } else {
            state.error = (obj.error && obj.error.message) || text;
          }
        }
      }
    } catch (err) {
      state.error = String(err.message || err);
    }
    state.done = true;
    state.total = performance.now() - started;
    show();
  };
  return (
    <div>
      <h2>Playground</h2>
      <form class="form playground" onSubmit={send}>
        <div class="row">
          <label class="field"><span class="field-label">client key</span>
            <input id="pg-key" type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.target.value)} placeholder="sk-..." /></label>
          <label class="field"><span class="field-label">model</span>
            <input id="pg-model" list="pg-models" value={model} onInput={(e) => setModel(e.target.value)} />
            <datalist id="pg-models">{models.map((m) => <option value={m} />)}</datalist></label>
          <label class="field"><span class="field-label">protocol</span>
            <select id="pg-protocol" value={protocol} onChange={(e) => setProtocol(e.target.value)}>
              <option value="openai">OpenAI chat completions</option>
              <option value="anthropic">Anthropic messages</option>
            </select></label>
          <label class="check"><input id="pg-stream" type="checkbox" checked={stream} onChange={(e) => setStream(e.target.checked)} /> stream</label>
        </div>
        <label class="field"><span class="field-label">message</span>
          <textarea id="pg-prompt" rows="3" value={prompt} onInput={(e) => setPrompt(e.target.value)} /></label>
        <div class="actions"><button class="primary" id="pg-send" type="submit" disabled={!key || !model || (run && !run.done)}>Send</button></div>
      </form>
      {run && (
        <div class="pg-result">
          <dl class="facts" id="pg-facts">
            <dt>status</dt><dd id="pg-status">{run.status ?? '…'}</dd>
            <dt>provider</dt><dd id="pg-provider">{run.provider || '—'}</dd>
            <dt>TTFT</dt><dd id="pg-ttft">{run.ttft === null ? '—' : `${fmtNum(run.ttft, 1)} ms`}</dd>
            <dt>tokens in / out</dt><dd id="pg-tokens">{run.input ?? '—'} / {run.output ?? '—'}</dd>
            <dt>total</dt><dd>{run.total === null ? '…' : `${fmtNum(run.total, 1)} ms`}</dd>
          </dl>
          {run.error && <div class="notice error" id="pg-error">{run.status ? `${run.status}: ` : ''}{run.error}</div>}
          <pre class="pg-output" id="pg-output" data-done={run.done ? 'yes' : 'no'}>{run.text}</pre>
        </div>
      )}
    </div>
  );
}
