-- bench/common.lua -- shared by chat.lua and stream.lua (wrk scripts for `make bench`).
-- Builds a realistic ~1 KB chat completion request with the Bearer key and prints one
-- machine-readable line at the end:
--   WRK rps=.. p50_us=.. p99_us=.. requests=.. errors=.. non2xx=.. overhead_n=.. overhead_p50_us=..
-- With BENCH_OVERHEAD=1 it also collects the x-llmproxy-overhead-us response header (this costs
-- wrk a Lua call per response, so it is only turned on for the 1-connection latency run).
local M = {}

local key = os.getenv("BENCH_KEY") or "sk-bench"
local model = os.getenv("BENCH_MODEL") or "bench"

function M.body(stream)
  return '{"model":"' .. model .. '",' .. (stream and '"stream":true,' or '') ..
    '"temperature":0.7,"max_tokens":256,"user":"bench-user-1842","messages":[' ..
    '{"role":"system","content":"You are a helpful assistant for an online store. Answer ' ..
    'briefly and politely, cite the order number when there is one, never invent shipping ' ..
    'dates, and hand over to a human agent when the customer asks for one."},' ..
    '{"role":"user","content":"Hi, I ordered a pair of running shoes last week (order 48213) ' ..
    'and the tracking page has said label created for four days. Can you tell me what is ' ..
    'going on and whether it will arrive before the weekend?"},' ..
    '{"role":"assistant","content":"I am sorry about the wait. Order 48213 was packed on ' ..
    'Monday; the carrier has not scanned it yet, which usually means it is still waiting for ' ..
    'pickup at the warehouse. Pickups run daily, so it should move within a day."},' ..
    '{"role":"user","content":"OK, thanks. If it does not move by Friday, can I get a refund ' ..
    'or a replacement shipped with express delivery instead? I need them for a race on Sunday ' ..
    'morning and I would rather not buy a second pair in a shop."}]}'
end

-- The same conversation as an Anthropic Messages request.
function M.messagesBody(stream)
  return '{"model":"' .. model .. '",' .. (stream and '"stream":true,' or '') ..
    '"temperature":0.7,"max_tokens":256,"metadata":{"user_id":"bench-user-1842"},' ..
    '"system":"You are a helpful assistant for an online store. Answer briefly and politely, ' ..
    'cite the order number when there is one, never invent shipping dates, and hand over to a ' ..
    'human agent when the customer asks for one.","messages":[' ..
    '{"role":"user","content":"Hi, I ordered a pair of running shoes last week (order 48213) ' ..
    'and the tracking page has said label created for four days. Can you tell me what is ' ..
    'going on and whether it will arrive before the weekend?"},' ..
    '{"role":"assistant","content":[{"type":"text","text":"I am sorry about the wait. Order ' ..
    '48213 was packed on Monday; the carrier has not scanned it yet, which usually means it ' ..
    'is still waiting for pickup at the warehouse. Pickups run daily, so it should move within ' ..
    'a day."}]},' ..
    '{"role":"user","content":"OK, thanks. If it does not move by Friday, can I get a refund ' ..
    'or a replacement shipped with express delivery instead? I need them for a race on Sunday ' ..
    'morning and I would rather not buy a second pair in a shop."}]}'
end

-- An Anthropic SDK client: /v1/messages with x-api-key and anthropic-version.
function M.setupMessages(stream, extra_headers)
  wrk.method = "POST"
  wrk.path = "/v1/messages"
  wrk.body = M.messagesBody(stream)
  wrk.headers["x-api-key"] = key
  wrk.headers["anthropic-version"] = "2023-06-01"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["User-Agent"] = "Anthropic/JS 0.39.0"
  if stream then wrk.headers["Accept"] = "text/event-stream" end
  for k, v in pairs(extra_headers or {}) do wrk.headers[k] = v end
end

function M.setup(stream, extra_headers)
  wrk.method = "POST"
  wrk.path = "/v1/chat/completions"
  wrk.body = M.body(stream)
  wrk.headers["Authorization"] = "Bearer " .. key
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["User-Agent"] = "openai-python/1.54.0"
  if stream then wrk.headers["Accept"] = "text/event-stream" end
  for k, v in pairs(extra_headers or {}) do wrk.headers[k] = v end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if os.getenv("BENCH_OVERHEAD") == "1" then
  hist = {}   -- overhead in microseconds -> count (per thread)
  function response(status, headers, body)
    local v = headers["x-llmproxy-overhead-us"] or headers["X-Llmproxy-Overhead-Us"]
    if v then
      local n = tonumber(v)
      if n then
        n = math.floor(n)
        hist[n] = (hist[n] or 0) + 1
      end
    end
  end
end

local function hist_percentiles(merged, total, ps)
  local keys = {}
  for k in pairs(merged) do table.insert(keys, k) end
  table.sort(keys)
  local out, seen, i = {}, 0, 1
  for _, k in ipairs(keys) do
    seen = seen + merged[k]
    while i <= #ps and seen >= ps[i] / 100 * total do
      out[i] = k
      i = i + 1
    end
  end
  return out
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  local merged, total = {}, 0
  for _, t in ipairs(threads) do
    local h = t:get("hist")
    if h then
      for k, c in pairs(h) do
        merged[k] = (merged[k] or 0) + c
        total = total + c
      end
    end
  end
  local op = { -1, -1 }
  if total > 0 then op = hist_percentiles(merged, total, { 50, 99 }) end
  io.write(string.format(
    "WRK rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d non2xx=%d overhead_n=%d " ..
    "overhead_p50_us=%d overhead_p99_us=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, errors, e.status, total, op[1], op[2]))
end

return M
