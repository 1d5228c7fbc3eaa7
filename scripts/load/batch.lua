-- wrk script: POSTs a small batch (four calls of the `echo` sim tool) to
-- /v1/batches and, when the run ends, prints one JSON line with the totals, the
-- latency percentiles and the errors, for scripts/load.sh and the load test.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"calls": [{"tool": "echo"}, {"tool": "echo"}, {"tool": "echo"}, {"tool": "echo"}]}'

-- Non-2xx answers by kind, counted per thread and summed at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) busy, unavailable, other = 0, 0, 0 end
function response(status, headers, body)
   if status == 429 then busy = busy + 1
   elseif status == 503 then unavailable = unavailable + 1
   elseif status >= 300 then other = other + 1 end
end

done = function(summary, latency, requests)
   local n429, n503, nother = 0, 0, 0
   for _, t in ipairs(threads) do
      n429 = n429 + t:get("busy")
      n503 = n503 + t:get("unavailable")
      nother = nother + t:get("other")
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, '
         .. '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"non_2xx": {"429": %d, "503": %d, "other": %d}}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      e.connect, e.read, e.write, e.status, e.timeout, n429, n503, nother))
end
