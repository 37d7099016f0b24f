-- wrk script for edge/bench/edge.bench.mjs.
--   wrk -t1 -c64 -d10s --latency -s wrk-load.lua URL -- <rate/s per thread, 0 = closed loop> <path> <users> <token prefix>
--
-- Requests: GET <path>; with users > 0, each request carries `Authorization: Bearer <prefix><n>`,
-- cycling through n = 1..users (one pre-built request string per user, so the script adds no per-request
-- formatting work).
--
-- Fixed rate (wrk has none; wrk2 is not packaged here): each thread keeps an open-loop schedule, one
-- slot every 1/rate s from the first request on. Whichever connection is free claims the next slot and
-- waits until it is due (wrk's delay() hook; its timers have 1 ms resolution, so requests leave in
-- per-millisecond batches). With many more connections than requests in flight, a slot is only late
-- when every connection is busy; such slots are counted ("late", > 1 ms behind) so the report can say
-- whether the schedule held. wrk measures latency from the moment a request is written; as long as
-- nothing is late that is also the latency from the scheduled time (no coordinated omission).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } edge_bench_timespec;
int clock_gettime(int clk_id, edge_bench_timespec *tp);
]]
local ts = ffi.new("edge_bench_timespec")
local CLOCK_MONOTONIC = 1
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local requests = {}
local count = 0
local index = 0
local interval
local next_slot
late = 0
scheduled = 0

function init(args)
  local rate = tonumber(args[1]) or 0
  local path = args[2] or "/"
  local users = tonumber(args[3]) or 0
  local prefix = args[4] or "bench-user-"
  if users > 0 then
    for n = 1, users do
      requests[n] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. prefix .. n })
    end
  else
    requests[1] = wrk.format("GET", path)
  end
  count = #requests
  index = math.random(count) - 1
  if rate > 0 then
    interval = 1000 / rate
    -- Defined only in fixed-rate mode: wrk checks for delay() after init() has run.
    delay = function()
      local now = now_ms()
      if next_slot == nil then next_slot = now end
      local slot = next_slot
      next_slot = slot + interval
      scheduled = scheduled + 1
      local wait = slot - now
      if wait < -1 then late = late + 1 end
      if wait <= 0 then return 0 end
      return math.floor(wait + 0.5)
    end
  end
end

function request()
  index = index + 1
  if index > count then index = 1 end
  return requests[index]
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, _)
  local late_total, scheduled_total = 0, 0
  for _, thread in ipairs(threads) do
    late_total = late_total + (thread:get("late") or 0)
    scheduled_total = scheduled_total + (thread:get("scheduled") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d,"meanUs":%.1f,"late":%d,"scheduled":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, late_total, scheduled_total))
end
