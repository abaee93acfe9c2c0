#!/usr/bin/env bash
# Builds the C door (release) and runs the C version of the main job.
#   bash examples/c/run.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo build --release -p leadcore-ffi --quiet
mkdir -p target/c-examples
"${CC:-gcc}" -std=c11 -O2 -Wall -Wextra -Werror -Iinclude examples/c/funnel.c \
    target/release/libleadcore_ffi.a -lpthread -ldl -lm -o target/c-examples/funnel
exec target/c-examples/funnel "${1:-../shared/data/olist-marketing-funnel}"
