-- replay.lua — wrk plays a file of prepared requests, each once
-- (bench/nhsa/run).  A line is PATH \t HEADER:VALUE|HEADER:VALUE \t BODY;
-- thread i of n takes lines i, i+n, i+2n, ...  A request file that runs
-- out wraps around and says so (wrapped=1): its figures are then not
-- settlements any more (repeats answer the first reply).
--   wrk ... -s replay.lua URL -- FILE NTHREADS
-- An answer counts as ok when it is 201 (the JSON API) or 200 with
-- "infcode":0 (the national interface).

local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for l in io.lines(args[1]) do lines[#lines + 1] = l end
  stride = tonumber(args[2])
  idx = tid
  ok, bad, wrapped = 0, 0, 0
end

function request()
  if idx >= #lines then wrapped = 1 end
  local l = lines[idx % #lines + 1]
  idx = idx + stride
  local path, hdrs, body = l:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  local h = {}
  for k, v in hdrs:gmatch("([^|:]+):([^|]*)") do h[k] = v end
  return wrk.format("POST", path, h, body)
end

function response(status, headers, body)
  if status == 201 or (status == 200 and body:find('"infcode":0', 1, true)) then
    ok = ok + 1
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
