-- wrk script: POST /v1/check with bodies read from BENCH_BODIES (one JSON object per line), a fresh id per
-- request, and a fixed number of requests per thread (BENCH_PER_THREAD); one connection per thread.
-- wrk itself only knows durations, so each thread times its own requests (monotonic clock through LuaJIT's
-- ffi), stops at its count, and done() reports the figures of exactly those requests.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads, next_tid = {}, 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local bodies, limit, tag = {}, 0, ""
sent, done_n, non200, t_first, t_last, sent_at, lat = 0, 0, 0, 0, 0, 0, {}

function init(args)
  limit = tonumber(os.getenv("BENCH_PER_THREAD"))
  tag = os.getenv("BENCH_TAG")
  for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = string.sub(line, 2) end
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local body = bodies[((sent - 1) * 7 + tid) % #bodies + 1]
  sent_at = now()
  if t_first == 0 then t_first = sent_at end
  return wrk.format("POST", "/v1/check", nil, string.format('{"id":"%s-t%d-%d",', tag, tid, sent) .. body)
end

function response(status, headers, body)
  local t = now()
  done_n = done_n + 1
  lat[done_n] = t - sent_at
  t_last = t
  if status ~= 200 then non200 = non200 + 1 end
  if done_n >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local all, n, bad, first, last = {}, 0, 0, math.huge, 0
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("lat") or {}) do n = n + 1; all[n] = v end
    bad = bad + (t:get("non200") or 0)
    local f, l = t:get("t_first") or 0, t:get("t_last") or 0
    if f > 0 and f < first then first = f end
    if l > last then last = l end
  end
  table.sort(all)
  local function pct(q) return all[math.max(1, math.ceil(n * q))] or -1 end
  io.write(string.format('BENCH_JSON {"requests": %d, "seconds": %.6f, "p50_s": %.6f, "p99_s": %.6f, ' ..
    '"non200": %d, "errors": %d}\n', n, last - first, pct(0.50), pct(0.99), bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
