#!/usr/bin/env bash
# Fuzzes playbook parsing + validation for a bounded time (default 60 s). Not part of CI's
# default run: it builds an instrumented binary (~1-2 min) first.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version '^0.13' --locked
fi
mkdir -p fuzz/corpus/playbook
# -s none: no sanitizer, so it builds on stable Rust; panics and assertion failures still stop it.
cargo fuzz run playbook -s none fuzz/corpus/playbook fuzz/seeds/playbook -- \
  -max_total_time="$seconds" -max_len=16384
