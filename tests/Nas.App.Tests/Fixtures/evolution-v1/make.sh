#!/usr/bin/env bash
# Made these fixtures once with the `nas` of main at 66f6df1, the last build whose one-shot evolution kept its own
# SplitMix64 word in `nas.oneshot.evolution` v1 (format v1, MessagePack-CSharp, named random streams "path" only):
# small synthetic 8-step searches, a snapshot kept from the middle of each, and the uninterrupted run's steps.jsonl,
# epochs.jsonl and genotype.txt. Not run by the tests; kept to say how the files were made. Usage: make.sh NAS_DLL
set -euo pipefail
nas=(dotnet "$1")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(--dataset synthetic:1x8x8:64 --layers 3 --channels 4 --batch 8 --threads 1 --seed 5 --steps 8)
printf 'epochs: 1\ntrain_portion: 0.5\npopulation: 4\ngenerations: 3\nrecalibration_batches: 1\neval_batches: 1\n' > "$here/oneshot.yaml"
# name method snapshot-every kept-step [config]
make() {
  local name=$1 method=$2 every=$3 kept=$4; shift 4
  local run="$work/$name"
  OMP_WAIT_POLICY=passive "${nas[@]}" search --method "$method" "${common[@]}" --snapshot-every "$every" --out "$run" "$@" >/dev/null
  mkdir -p "$here/$name"
  cp "$run/snapshots/step-$(printf %09d "$kept").msgpack" "$here/$name/"
  cp "$run/steps.jsonl" "$run/epochs.jsonl" "$run/genotype.txt" "$here/$name/"
}
make spos-3 spos 3 3 --config "$here/oneshot.yaml"         # mid supernet training: the evolution has not begun
make spos-6 spos 3 6 --config "$here/oneshot.yaml"         # mid evolution (after the start and one generation)
make bnnas-3 bnnas++ 3 3 --config "$here/oneshot.yaml"     # mid training: the facet pool and the evolution still to draw
