-- replay.lua — wrk plays a file of prepared requests, each once
-- (bench/nhsa/run).  The file is bench/nhsa/prep.mjs's KIND-requests.http:
-- records "LENGTH\n" followed by LENGTH bytes of one whole HTTP/1.1
-- request, as sent.  Thread i of n takes records i, i+n, i+2n, ...  A
-- file that runs out wraps around and says so (wrapped=1): its figures
-- are then not settlements any more (repeats answer the first reply).
--   wrk ... -s replay.lua URL -- FILE NTHREADS
--
-- Why whole requests cut out at init (docs/BENCHMARKS.md, "What bounds
-- the ratio"): wrk shares a CPU with the server's connection threads, so
-- what it spends per request is taken from the server.  Parsing a line
-- into path, headers and body and formatting it with wrk.format at every
-- request cost wrk about twice as much per 2207 (a longer body, five
-- headers) as per JSON settlement: a handicap of the benchmark, not of
-- the gateway.  Now a request costs wrk the same work whatever it holds.
--
-- Why no response() (as yibao.lua's mix=settle): with one, wrk makes a
-- Lua table of every answer's headers and a Lua string of its body — the
-- gateway's reply is three times the JSON API's — CPU a real client
-- would not take from the server on the shared cores.  The answers are
-- counted by the server instead (yibao_settlements_total, which the
-- gateway's 2207 feeds as the JSON API's settlements do): bench/nhsa/run
-- reads it when the last thread's init is done (this script leaves
-- FILE.go then, before wrk starts its clock: answers that thread 0 got
-- while thread 1 read the file are not in the window) and after wrk,
-- and checks it against the answers wrk counted (RESULT requests=).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  local stride = tonumber(args[2])
  reqs = {}
  local pos, i = 1, 0
  while pos <= #data do
    local nl = data:find("\n", pos, true)
    local len = tonumber(data:sub(pos, nl - 1))
    if i % stride == tid then
      reqs[#reqs + 1] = data:sub(nl + 1, nl + len)
    end
    pos = nl + 1 + len
    i = i + 1
  end
  if tid == stride - 1 then
    io.open(args[1] .. ".go", "w"):close()
  end
  n = 0
  wrapped = 0
end

function request()
  n = n + 1
  if n > #reqs then wrapped = 1 end
  return reqs[(n - 1) % #reqs + 1]
end

function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(threads) do
    w = math.max(w, t:get("wrapped"))
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d non2xx=%d socket_errors=%d wrapped=%d seconds=%.2f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, w,
    summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
