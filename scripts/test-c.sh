#!/usr/bin/env bash
# The C side of leadcore's tests: builds the C door (target/debug/libleadcore_ffi.a), then
# compiles tests/c (plain C11) against include/leadcore.h and runs it twice:
#   1. with AddressSanitizer + UndefinedBehaviorSanitizer;
#   2. without sanitizers (-O1 -g) under valgrind (skipped with a message if not installed).
# Each run executes the C API unit tests and every shared vector in tests/vectors, and ends
# with the line "N passed, M failed". Works from any directory.
# Usage: scripts/test-c.sh [VECTORS_DIR]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
vectors="${1:-tests/vectors}"
cc="${CC:-gcc}"
out="target/c-tests"
mkdir -p "$out"

echo "==> cargo build -p leadcore-ffi"
cargo build -p leadcore-ffi

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -Iinclude)
libs=(target/debug/libleadcore_ffi.a -lpthread -ldl -lm)
sources=(tests/c/*.c)

echo "==> C tests under AddressSanitizer + UndefinedBehaviorSanitizer"
"$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer "${sources[@]}" "${libs[@]}" -o "$out/leadcore_c_tests_asan"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    "$out/leadcore_c_tests_asan" "$vectors"

echo "==> C tests under valgrind"
"$cc" "${cflags[@]}" -O1 "${sources[@]}" "${libs[@]}" -o "$out/leadcore_c_tests"
if command -v valgrind >/dev/null 2>&1; then
    valgrind --quiet --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect \
        "$out/leadcore_c_tests" "$vectors"
else
    echo "valgrind is not installed: skipping the valgrind run (the ASan run above passed)"
fi
data="../shared/data/olist-marketing-funnel"
if [ -d "$data" ]; then
    echo "==> the C main job (examples/c/funnel.c) gives the Rust and Python funnel"
    "$cc" "${cflags[@]}" -O1 examples/c/funnel.c "${libs[@]}" -o "$out/funnel"
    funnel_out=$("$out/funnel" "$data")
    grep -Eq '^Won +840 +840 +840 ' <<<"$funnel_out"
    grep -q '^19360 transitions applied, 4 refused$' <<<"$funnel_out"
else
    echo "($data not found: skipping the C main job)"
fi
echo "==> C tests passed"
