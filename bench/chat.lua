-- bench/chat.lua -- wrk script: non-streaming chat completion, ~1 KB body, Bearer key.
--   wrk -t1 -c50 -d10s --latency -s bench/chat.lua http://127.0.0.1:PORT
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
require("common").setup(false)
