-- wrk script: POST /v1/check with bodies read from BENCH_BODIES (one JSON object per line, no "id"),
-- a fresh id per request, and a fixed number of requests per thread (BENCH_PER_THREAD), then stop.
local bodies, counter, limit, tid, non200 = {}, 0, 0, 0, 0
local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  limit = tonumber(os.getenv("BENCH_PER_THREAD"))
  for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = string.sub(line, 2) end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = bodies[((counter - 1) * 7 + tid) % #bodies + 1]
  return wrk.format(nil, "/v1/check", nil, string.format('{"id":"%s-t%d-%d",', os.getenv("BENCH_TAG"), tid, counter) .. body)
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
  if counter >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0) end
  io.write(string.format('BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "errors": %d, "non200": %d}\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.mean,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    bad))
end
