#!/usr/bin/env bash
# Fuzzes every target under fuzz/fuzz_targets/ for a bounded time each (default 60 s), or
# only the targets named: playbook (parsing + validation + a walk), scoring (per-lead, batch,
# incremental, prediction on arbitrary JSON inputs), lifecycle (stored states and wire inputs:
# checks against the playbook, transitions, dwell and the funnel at any time), analytics
# (pipeline, bottleneck, lead and activity metrics, forecasts, the history model, backtest
# and roll-up from arbitrary JSON: no panic, no NaN or infinity in a result). Not part of
# CI's default run: it builds instrumented binaries (~2-3 min) first.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for file in fuzz/fuzz_targets/*.rs; do
    targets+=("$(basename "$file" .rs)")
  done
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version '^0.13' --locked
fi
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target"
  # -s none: no sanitizer, so it builds on stable Rust; panics and assertion failures still stop it.
  cargo fuzz run "$target" -s none "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=16384
done
