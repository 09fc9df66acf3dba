-- yibao.lua — a day at the medical-insurance agency, for wrk(1).
--
--   wrk -t T -c C -d 20s --latency -s bench/wrk/yibao.lua http://127.0.0.1:8080 \
--       -- keys=KEYS.txt workload=WORKLOAD.txt [mix=day|settle] [run=ID] [seed=N]
--
-- KEYS and WORKLOAD are written by bench/gen (--keys-out, --workload).
--
-- mix=day (default), the requests of a real day:
--   70% settlements (POST /api/v1/settlements), half by patients who pay
--       from their own account, half by patients with no balance of their
--       own whose relatives authorized them (family accounts, SPEC S3 2.);
--   10% pre-settlements (POST /api/v1/settlements/preview);
--    5% revocations of settlements made earlier in this run (S5);
--   10% person look-ups by an agency window (GET /api/v1/persons/{ssn});
--    5% bindings at the agency window (POST /api/v1/bindings) and, for half
--       of them once some exist, the end of a binding made earlier in this
--       run (DELETE /api/v1/bindings/{id}).
-- mix=settle: settlements only (the same half own, half family).
--
-- Every request is unique: transaction ids are RUN-THREAD-COUNTER.  Each
-- institution's settlement is revoked with that institution's key.  wrk
-- keeps the connections alive.
--
-- wrk's response() does not say which request a response answers (a
-- thread serves many connections), so responses are classified by their
-- body: a settlement's "state", a binding's "results" or "ended_at", a
-- person's "scheme".  done() prints the usual counts and one line
-- "RESULT key=value ..." that bench/run parses; non-2xx answers are
-- counted by status and by error code.
--
-- mix=settle reads no answers: init() drops response(), so wrk neither
-- parses the headers and body nor calls Lua per answer.  That was ~20 µs
-- of wrk's CPU per request on the shared two cores (measured, 2026-12-07),
-- taken from the server it measures, and the settle mix needs no ids from
-- its answers.  Every request is a settlement with a fresh txn_id, so its
-- 2xx answers are its settlements; wrk still counts the answers >= 400
-- (non2xx), and bench/run checks the count against the server's own
-- yibao_settlements_total{outcome="settled"}.

local threads = {}
local next_tid = 0

-- ---- helpers (every thread) -----------------------------------------------

local function split(line)
   local f = {}
   for w in line:gmatch("%S+") do f[#f + 1] = w end
   return f
end

local function parse_args(args)
   local o = { mix = "day", run = tostring(os.time()), seed = "1" }
   for _, a in ipairs(args or {}) do
      local k, v = a:match("^(%w+)=(.*)$")
      if not k then error("yibao.lua: argument '" .. a .. "' is not key=value") end
      o[k] = v
   end
   if not o.keys or not o.workload then
      error("yibao.lua: needs keys=FILE and workload=FILE")
   end
   return o
end

local function pick(list)
   return list[math.random(#list)]
end

-- ---- setup and done (the main Lua state) ----------------------------------

function setup(thread)
   next_tid = next_tid + 1
   thread:set("tid", next_tid)
   threads[#threads + 1] = thread
end

-- ---- per thread -----------------------------------------------------------

local inst = {}          -- { {code=, key=} }
local key_of = {}        -- institution code -> key
local agency_key
local own, family, persons = {}, {}, {}
local id_of = {}         -- ssn -> ID number (authorizers, for unbinding)
local opt
local n = 0
local settled_ring, settled_head, settled_tail = {}, 1, 0
local bound = {}         -- bindings made in this run, to end later

-- counters copied to done() with thread:get()
unread = 0               -- 1: response() dropped (mix=settle)
counts = {}              -- by kind of answer
statuses = {}            -- by HTTP status
errors = {}              -- by error code (non-2xx, and refused binding rows)

local function bump(t, k)
   t[k] = (t[k] or 0) + 1
end

function init(args)
   opt = parse_args(args)
   math.randomseed(tonumber(opt.seed) * 1000003 + tid)
   for line in io.lines(opt.keys) do
      local f = split(line)
      if f[1] == "institution" then
         inst[#inst + 1] = { code = f[2], key = f[3] }
         key_of[f[2]] = f[3]
      elseif f[1] == "agency_window" then
         agency_key = f[3]
      end
   end
   for line in io.lines(opt.workload) do
      local f = split(line)
      local row = { ssn = f[2], id = f[3], card = f[4] }
      if f[1] == "own" then
         own[#own + 1] = row
         id_of[row.ssn] = row.id
      elseif f[1] == "family" then
         family[#family + 1] = row
      elseif f[1] == "person" then
         persons[#persons + 1] = row
      end
   end
   if #inst == 0 or not agency_key or #own == 0 or #persons == 0 then
      error("yibao.lua: the keys or workload file is incomplete")
   end
   if opt.mix == "settle" then
      response = nil       -- wrk checks it after init(): answers unread
      unread = 1
   end
end

local json_headers = {}

local function headers(key)
   json_headers["Content-Type"] = "application/json"
   json_headers["Authorization"] = "Bearer " .. key
   return json_headers
end

local function txn_id()
   return string.format("%s-%d-%d", opt.run, tid, n)
end

-- A bill: visit type, total and the pooled-fund part the institution
-- computed.  Family accounts pay only for outpatient and pharmacy visits.
local function bill(for_family)
   local r = math.random(100)
   if r <= 60 or (for_family and r <= 80) then
      local total = math.random(20, 500) * 100
      local fund = math.random(100) <= 40 and math.floor(total * math.random(30, 50) / 100) or 0
      return "outpatient", total, fund
   elseif r <= 90 or for_family then
      return "pharmacy", math.random(10, 300) * 100, 0
   end
   local total = math.random(2000, 20000) * 100
   return "inpatient", total, math.floor(total * math.random(60, 85) / 100)
end

local function settlement(path)
   local for_family = #family > 0 and math.random(2) == 2
   local p = pick(for_family and family or own)
   local visit, total, fund = bill(for_family)
   local ctype, cval = "card", p.card
   if math.random(100) <= 20 then ctype, cval = "id_number", p.id end
   local i = pick(inst)
   local body = string.format(
      '{"txn_id":"%s","credential":{"type":"%s","value":"%s"},' ..
      '"visit_type":"%s","total_fen":%d,"fund_pay_fen":%d}',
      txn_id(), ctype, cval, visit, total, fund)
   return wrk.format("POST", path, headers(i.key), body)
end

local function revocation()
   if settled_tail < settled_head then
      return settlement("/api/v1/settlements")
   end
   local s = settled_ring[settled_head]
   settled_ring[settled_head] = nil
   settled_head = settled_head + 1
   return wrk.format("POST", "/api/v1/settlements/" .. s.id .. "/revocation",
                     headers(key_of[s.code]), nil)
end

local materials = '"channel":"agency_window","materials":{"id_cards":true,' ..
   '"social_security_cards":true,"card_copies":true}'
local relationships = { "spouse", "parent", "child" }

local function binding()
   if #bound > 0 and math.random(2) == 1 then
      local b = table.remove(bound, math.random(#bound))
      local body = string.format('{"authorizer":{"ssn":"%s","id_number":"%s"},%s}',
                                 b.ssn, b.id, materials)
      return wrk.format("DELETE", "/api/v1/bindings/" .. b.binding_id,
                        headers(agency_key), body)
   end
   local a, r = pick(own), pick(persons)
   while r.ssn == a.ssn do r = pick(persons) end
   local body = string.format(
      '{"authorizer":{"ssn":"%s","id_number":"%s"},"relatives":[{"ssn":"%s",' ..
      '"id_number":"%s","relationship":"%s"}],%s}',
      a.ssn, a.id, r.ssn, r.id, pick(relationships), materials)
   return wrk.format("POST", "/api/v1/bindings", headers(agency_key), body)
end

local function person()
   return wrk.format("GET", "/api/v1/persons/" .. pick(persons).ssn,
                     headers(agency_key), nil)
end

function request()
   n = n + 1
   if opt.mix == "settle" then return settlement("/api/v1/settlements") end
   local r = math.random(100)
   if r <= 70 then return settlement("/api/v1/settlements")
   elseif r <= 80 then return settlement("/api/v1/settlements/preview")
   elseif r <= 85 then return revocation()
   elseif r <= 95 then return person()
   end
   return binding()
end

function response(status, hdrs, body)
   bump(statuses, status)
   if status >= 300 then
      bump(counts, "failed")
      bump(errors, body:match('"code":"([^"]+)"') or ("http." .. status))
      return
   end
   local state = body:match('"state":"(%a+)"')
   if state == "settled" then
      bump(counts, status == 201 and "settlement" or "settlement_repeat")
      local id = body:match('"settlement_id":(%d+)')
      local code = body:match('"institution_code":"([^"]+)"')
      settled_tail = settled_tail + 1
      settled_ring[settled_tail] = { id = id, code = code }
   elseif state == "preview" then
      bump(counts, "preview")
   elseif state == "revoked" then
      bump(counts, "revocation")
   elseif body:find('"results":', 1, true) then
      for ok, rest in body:gmatch('"ok":(%a+),(.-)}') do
         if ok == "true" then
            bump(counts, "binding")
            local bid = rest:match('"binding_id":(%d+)')
            local assn = rest:match('"authorizer_ssn":"(%d+)"')
            bound[#bound + 1] = { binding_id = bid, ssn = assn, id = id_of[assn] }
         else
            bump(counts, "binding_refused")
            bump(errors, body:match('"code":"([^"]+)"') or "binding.refused")
         end
      end
   elseif body:find('"ended_at":"', 1, true) then
      bump(counts, "unbinding")
   elseif body:find('"scheme":', 1, true) then
      bump(counts, "person")
   else
      bump(counts, "other")
   end
end

-- ---- the report (main Lua state) ------------------------------------------

local function merge(into, from)
   for k, v in pairs(from or {}) do into[k] = (into[k] or 0) + v end
end

local function keys_sorted(t)
   local ks = {}
   for k in pairs(t) do ks[#ks + 1] = k end
   table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
   return ks
end

local function listing(t)
   local parts = {}
   for _, k in ipairs(keys_sorted(t)) do parts[#parts + 1] = k .. ":" .. t[k] end
   return #parts > 0 and table.concat(parts, ";") or "-"
end

function done(summary, latency, requests)
   local c, s, e = {}, {}, {}
   for _, t in ipairs(threads) do
      merge(c, t:get("counts"))
      merge(s, t:get("statuses"))
      merge(e, t:get("errors"))
   end
   local non2xx = 0
   if threads[1] and threads[1]:get("unread") == 1 then
      -- Answers unread: wrk counts those >= 400 ("status" errors); the
      -- rest are the settlements (bench/run checks with the server).
      non2xx = summary.errors.status
      c = { settlement = summary.requests - non2xx }
      s = { ["2xx"] = summary.requests - non2xx }
      if non2xx > 0 then s[">=400"] = non2xx; e = { unread = non2xx } end
   else
      for code, v in pairs(s) do
         if code < 200 or code >= 300 then non2xx = non2xx + v end
      end
   end
   local secs = summary.duration / 1e6
   local function rate(k) return (c[k] or 0) / secs end
   local socket_errors = summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout
   io.write("\nyibao mix:\n")
   for _, k in ipairs(keys_sorted(c)) do
      io.write(string.format("  %-18s %9d  %9.1f/s\n", k, c[k], rate(k)))
   end
   io.write("  statuses           " .. listing(s) .. "\n")
   io.write("  errors             " .. listing(e) .. "\n")
   io.write(string.format(
      "RESULT seconds=%.2f requests=%d req_per_s=%.1f settlements=%d " ..
      "settlements_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
      "p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d " ..
      "statuses=%s errors=%s\n",
      secs, summary.requests, summary.requests / secs,
      c.settlement or 0, rate("settlement"),
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
      latency.max / 1000, non2xx, socket_errors, listing(s), listing(e)))
end
