#!/usr/bin/env bash
# Runs the golden searches into OUT (default: this folder), one sub-folder per config, keeping what GoldenRunTests compares.
# NAS='dotnet PATH/nas.dll' runs another build; ONLY='a b' runs only those configs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
. "$here/../../scripts/pin-isa.sh"
nas=(${NAS:-"$here/../../nas"})
for cfg in "$here"/*.yaml; do
  name=$(basename "$cfg" .yaml)
  [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]] && continue
  run=$(mktemp -d)
  "${nas[@]}" search --config "$cfg" --dataset synthetic:1x8x8:48 --layers 3 --channels 8 --batch 8 --seed 7 --threads 1 \
    --snapshot-every 6 --out "$run/run" >/dev/null 2>"$run/err" || { cat "$run/err" >&2; exit 1; }
  mkdir -p "$out/$name"
  sed -E 's/,"seconds":[^,}]*//' "$run/run/steps.jsonl" > "$out/$name/steps.jsonl"
  sed -E 's/,?"seconds":[^,}]*//' "$run/run/epochs.jsonl" > "$out/$name/epochs.jsonl"
  cp "$run/run/genotype.txt" "$out/$name/genotype.txt" 2>/dev/null || true
  rm -rf "$run"
done
