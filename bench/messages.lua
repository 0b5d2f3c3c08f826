-- bench/messages.lua -- wrk script: an Anthropic Messages client (/v1/messages), ~1 KB body;
-- BENCH_STREAM=1 streams (x-mock-chunks, default 20). With BENCH_MODEL=bench the model is
-- served by the OpenAI-compatible mock provider (translated both ways); with
-- BENCH_MODEL=bench-anthropic by the Anthropic one (bypass).
--   wrk -t1 -c50 -d10s --latency -s bench/messages.lua http://127.0.0.1:PORT
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local stream = os.getenv("BENCH_STREAM") == "1"
require("common").setupMessages(stream,
                                { ["x-mock-chunks"] = os.getenv("BENCH_CHUNKS") or "20" })
