#!/usr/bin/env bash
# Fuzzes for a bounded time each (default 60 s): playbook parsing + validation, and scoring
# (per-lead, batch, incremental, prediction) on arbitrary JSON inputs. Not part of CI's
# default run: it builds instrumented binaries (~2-3 min) first.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(playbook scoring)
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version '^0.13' --locked
fi
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  # -s none: no sanitizer, so it builds on stable Rust; panics and assertion failures still stop it.
  cargo fuzz run "$target" -s none "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=16384
done
