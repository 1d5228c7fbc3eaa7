-- wrk script: POSTs a small batch (four calls of the `echo` sim tool) to
-- /v1/batches and, when the run ends, prints one JSON line with the totals, the
-- latency percentiles and the errors, for scripts/load.sh and the load test.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"calls": [{"tool": "echo"}, {"tool": "echo"}, {"tool": "echo"}, {"tool": "echo"}]}'

done = function(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, '
         .. '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      e.connect, e.read, e.write, e.status, e.timeout))
end
