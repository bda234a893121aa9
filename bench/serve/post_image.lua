-- post_image.lua — wrk script for bench/serve/run.sh: every request POSTs one image file to /predict.
--   IMAGE=sample.png wrk -s post_image.lua -c200 -d60s http://127.0.0.1:8080/predict
-- Prints one JSON line at the end: requests, seconds, errors by kind, latency percentiles (ms).
local path = os.getenv("IMAGE") or error("set IMAGE to a PNG file")
local f = assert(io.open(path, "rb"))
local body = f:read("*all")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "image/png"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
