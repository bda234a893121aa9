#!/usr/bin/env bash
# bench/serve/run.sh — load test of `nabla serve` beside the same FashionCNN in PyTorch behind Flask
# (flask_server.py), on loopback with wrk: C concurrent connections for D seconds each, after a short
# warm-up. Prints requests/s, latency p50/p90/p99, errors and the server's RSS before and after the
# timed run (growth would be a leak), then a Markdown row per server for docs/PERFORMANCE.md. With
# --tsv, stdout is only `serve_rps<TAB>requests/s<TAB>threads=<CPUs>` per server (the rest goes to
# stderr), the format of nabla-bench: `tools/bench-compare --only serve_rps` runs it with 64 connections.
#   bench/serve/run.sh [--model_fn runs/demo/model.safetensors] [--connections 200] [--seconds 60]
#                      [--only nabla|flask] [--build build] [--tsv]
# Needs wrk, python3-flask, python3-pil and python3-torch (tools/install-deps --with-bench) and a
# FashionCNN checkpoint (`make demo` leaves runs/demo/model.safetensors).
set -euo pipefail
cd "$(dirname "$0")/../.."

model=runs/demo/model.safetensors connections=200 seconds=60 only="" build=build warmup=5 tsv=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model_fn) model=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --tsv) tsv=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "run.sh: wrk is missing (tools/install-deps --with-bench)" >&2; exit 1; }
[[ -f "$model" ]] || { echo "run.sh: no checkpoint at $model (make demo, or --model_fn)" >&2; exit 1; }
# --tsv: the human-readable report goes to stderr, stdout keeps the workload lines only.
if ((tsv)); then exec 3>&1 1>&2; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nabla-serve-bench.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# One test image, a FashionMNIST sample when the data is there, else a generated 28x28 gray PNG.
"$build/nabla" samples --data fashion-mnist --count 1 --out "$tmp/samples" >/dev/null 2>&1 ||
  /usr/bin/python3 -c "
import zlib, struct, random
random.seed(0); w = h = 28
raw = b''.join(b'\0' + bytes(random.randrange(256) for _ in range(w)) for _ in range(h))
chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + \
      chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
import os; os.makedirs('$tmp/samples', exist_ok=True); open('$tmp/samples/0_gen.png', 'wb').write(png)"
image=$(ls "$tmp"/samples/*.png | head -1)
export IMAGE=$image

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() {
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "run.sh: the server on port $1 did not come up" >&2; return 1
}

# bench <name> <port>: warm-up, RSS, timed run, RSS; appends a result line to $tmp/results.
bench() {
  local name=$1 port=$2 url="http://127.0.0.1:$2/predict"
  wrk -t1 -c"$connections" -d"${warmup}s" --timeout 30s -s bench/serve/post_image.lua "$url" >/dev/null
  local before after line
  before=$(rss_kb "$server_pid")
  line=$(wrk -t1 -c"$connections" -d"${seconds}s" --timeout 30s -s bench/serve/post_image.lua "$url" | tail -1)
  after=$(rss_kb "$server_pid")
  echo "$name $before $after $line" >>"$tmp/results"
  echo "$name: $line; RSS ${before} kB -> ${after} kB"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "image: $image; $connections connections, ${seconds} s each after a ${warmup} s warm-up (wrk, 1 thread)"

if [[ -z "$only" || "$only" == nabla ]]; then
  port=$(free_port)
  "$build/nabla" serve --model_fn "$model" --port "$port" --http_threads $((connections + 56)) \
    --max_batch 32 --max_wait_ms 5 >"$tmp/nabla.log" 2>&1 &
  server_pid=$!
  wait_health "$port"
  bench nabla "$port"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^nabla_serve_batch_size_(sum|count)|^nabla_serve_errors_total' || true
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
fi
if [[ -z "$only" || "$only" == flask ]]; then
  port=$(free_port)
  /usr/bin/python3 bench/serve/flask_server.py --model_fn "$model" --port "$port" >"$tmp/flask.log" 2>&1 &
  server_pid=$!
  wait_health "$port"
  bench flask "$port"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((tsv)); then
  /usr/bin/python3 - "$tmp/results" >&3 <<'PY'
import json, os, sys
for row in open(sys.argv[1]):
    r = json.loads(row.split(" ", 3)[3])
    print(f"serve_rps\t{r['requests'] / r['seconds']:.1f}\tthreads={os.cpu_count()}")
PY
  exit 0
fi

echo
echo "| server | requests/s | p50 ms | p99 ms | errors | RSS before -> after (MB) |"
echo "|---|---|---|---|---|---|"
/usr/bin/python3 - "$tmp/results" <<'PY'
import json, sys
for row in open(sys.argv[1]):
    name, before, after, line = row.split(" ", 3)
    r = json.loads(line)
    errors = sum(r["errors"].values())
    print(f"| {name} | {r['requests'] / r['seconds']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {errors} "
          f"| {int(before) / 1024:.1f} -> {int(after) / 1024:.1f} |")
PY
