-- replay.lua — wrk plays a file of prepared requests, each once
-- (bench/nhsa/run).  The file is bench/nhsa/prep.mjs's KIND-requests.http:
-- records "LENGTH\n" followed by LENGTH bytes of one whole HTTP/1.1
-- request, as sent.  Thread i of n takes records i, i+n, i+2n, ...  A
-- file that runs out wraps around and says so (wrapped=1): its figures
-- are then not settlements any more (repeats answer the first reply).
--   wrk ... -s replay.lua URL -- FILE NTHREADS
-- An answer counts as ok when it is 201 (the JSON API) or 200 with
-- "infcode":0 (the national interface).
--
-- Why whole requests cut out at init (docs/BENCHMARKS.md, "What bounds
-- the ratio"): wrk shares a CPU with the server's connection threads, so
-- what it spends per request is taken from the server.  Parsing a line
-- into path, headers and body and formatting it with wrk.format at every
-- request cost wrk about twice as much per 2207 (a longer body, five
-- headers) as per JSON settlement: a handicap of the benchmark, not of
-- the gateway.  Now a request costs wrk the same work whatever it holds.
--
-- Why answers count only from the start: wrk runs each thread's init and
-- then starts that thread, one thread after the other, and starts its
-- clock after the last; answers that thread 0 gets while thread 1 reads
-- the file would be counted against a clock that had not started (more
-- so for the larger file).  The last thread's init leaves FILE.go; a
-- thread counts its ok answers once it has seen it.

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
  flag = args[1] .. ".go"
  started = false
  if tid == stride - 1 then
    io.open(flag, "w"):close()
    started = true
  end
  n = 0
  ok, bad, wrapped = 0, 0, 0
end

function request()
  n = n + 1
  if n > #reqs then wrapped = 1 end
  return reqs[(n - 1) % #reqs + 1]
end

function response(status, headers, body)
  if not started then
    local f = io.open(flag, "r")
    if f then f:close(); started = true end
  end
  if status == 201 or (status == 200 and body:find('"infcode":0', 1, true)) then
    if started then ok = ok + 1 end
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local o, b, w = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("bad")
    w = math.max(w, t:get("wrapped"))
  end
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT ok=%d bad=%d wrapped=%d seconds=%.2f ok_per_s=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    o, b, w, s, o / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
