#!/usr/bin/env bash
# Step time of a data-parallel search on this machine: 1 rank x 2 threads against 2 ranks x 1 thread at the same global
# batch, for darts and pc-darts; prints the median step seconds (steps 3..S of steps.jsonl) and rank 0's all-reduce volume.
# Usage: scripts/measure-distributed.sh [STEPS] [BATCH]   (docs/distributed.md has the numbers it gave)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-12}"
batch="${2:-32}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
common=(--dataset fashion-mnist --subset 2000 --layers 5 --channels 8 --batch "$batch" --steps "$steps" --snapshot-every 0 --seed 1 --warmup-epochs 0)
median() {
  /usr/bin/python3 - "$1" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{statistics.median(r['seconds'] for r in rows[2:]):.3f}")
PY
}
printf "%-9s %-14s %-10s %s\n" method layout "s/step" "all-reduced bytes/step (rank 0)"
for method in darts pc-darts; do
  "$root/nas" search --method "$method" "${common[@]}" --threads 2 --out "$out/$method-1x2" >/dev/null 2>&1
  printf "%-9s %-14s %-10s %s\n" "$method" "1 rank x 2" "$(median "$out/$method-1x2/steps.jsonl")" "-"
  "$root/nas" search --method "$method" "${common[@]}" --threads 1 --nproc 2 --check-every 0 --out "$out/$method-2x1" >/dev/null 2>&1
  bytes=$(/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['all_reduced_bytes']//r['step'])" "$out/$method-2x1/ranks/rank-0.json")
  printf "%-9s %-14s %-10s %s\n" "$method" "2 ranks x 1" "$(median "$out/$method-2x1/steps.jsonl")" "$bytes"
done
