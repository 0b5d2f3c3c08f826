-- bench/stream.lua -- wrk script: streaming chat completion (SSE), 20 content chunks from the
-- mock (x-mock-chunks: 20, no delay); wrk's latency is the time to the end of the stream.
--   wrk -t1 -c50 -d10s --latency -s bench/stream.lua http://127.0.0.1:PORT
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
require("common").setup(true, { ["x-mock-chunks"] = os.getenv("BENCH_CHUNKS") or "20" })
