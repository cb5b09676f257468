#!/usr/bin/env bash
# Scrapes a running `nas serve` with a real Prometheus and shows nas_steps_total rising through its query API.
# Usage: scripts/prometheus-e2e.sh http://127.0.0.1:PORT [timeout-seconds]
# Prometheus (Debian /usr/bin/prometheus) binds 127.0.0.1 on a free port, scrapes every 1 s, keeps
# its data in a temporary folder, and is stopped (and the folder removed) on exit.
set -euo pipefail
url="${1:?usage: $0 http://127.0.0.1:PORT [timeout-seconds]}"
timeout_s="${2:-20}"
prometheus="${PROMETHEUS:-/usr/bin/prometheus}"
python=/usr/bin/python3
target="${url#*://}"; target="${target%%/*}"
[ -x "$prometheus" ] || { echo "prometheus-e2e: $prometheus not found (Debian package prometheus)" >&2; exit 2; }

tmp="$(mktemp -d -t nas-prometheus-XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
cat > "$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: nas
    metrics_path: /metrics
    static_configs:
      - targets: ['$target']
YAML

"$prometheus" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pid=$!
api="http://127.0.0.1:$port"
deadline=$((SECONDS + timeout_s))

# Prints the current value of nas_steps_total as Prometheus stores it, or nothing before the first scrape.
steps() {
  "$python" -c '
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/api/v1/query?query=nas_steps_total", timeout=2) as f:
    r = json.load(f)["data"]["result"]
print(r[0]["value"][1] if r else "")' "$api" 2>/dev/null || true
}

first=""
while [ -z "$first" ]; do
  [ $SECONDS -lt $deadline ] || { echo "prometheus-e2e: no sample of nas_steps_total from $target within ${timeout_s}s" >&2; cat "$tmp/prometheus.log" >&2; exit 1; }
  kill -0 "$pid" 2>/dev/null || { echo "prometheus-e2e: prometheus exited" >&2; cat "$tmp/prometheus.log" >&2; exit 1; }
  sleep 0.2
  first="$(steps)"
done
echo "nas_steps_total first=$first"
second="$first"
while "$python" -c "import sys; sys.exit(0 if float('$second') <= float('$first') else 1)"; do
  [ $SECONDS -lt $deadline ] || { echo "prometheus-e2e: nas_steps_total did not rise above $first within ${timeout_s}s" >&2; exit 1; }
  sleep 0.2
  second="$(steps)"; second="${second:-$first}"
done
echo "nas_steps_total second=$second"
echo "prometheus-e2e: ok (nas_steps_total rose from $first to $second)"
