#!/usr/bin/env bash
# Tests the built wheel as a user installs it (issue #13's must-hold): for each of four fresh
# virtualenvs under target/wheel-test/ (made anew on every run),
#   bare     the wheel alone, no pandas, pyarrow, polars or numpy: import, score a lead and a
#            batch from lists, and check that nothing imported a table library;
#   pandas   the wheel + pandas only: score_many from pandas DataFrames;
#   pyarrow  the wheel + pyarrow only: score_columns from pyarrow Tables, results as a Table;
#   polars   the wheel + polars only: score_columns from polars DataFrames, results as one;
# runs tests/wheel/smoke.py from outside the source tree. Each library comes through the
# wheel's own extra (`leadcore[pandas]`, ...), so the extras are tested too. Prints how long
# each step took.
#
# Usage: bash scripts/test-wheel.sh [WHEEL]   (default: the abi3 wheel in target/wheels/,
# built by scripts/build-wheels.sh). Needs python3 (3.11+, with venv and pip) and PyPI (or a
# warm pip cache) for pandas, pyarrow and polars.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
work="$root/target/wheel-test"
smoke="$root/tests/wheel/smoke.py"

if [[ $# -ge 1 ]]; then
    wheel=$(realpath "$1")
else
    mapfile -t wheels < <(find "$root/target/wheels" -maxdepth 1 -name 'leadcore-*-abi3-manylinux*.whl' 2>/dev/null | sort)
    if [[ ${#wheels[@]} -ne 1 ]]; then
        echo "test-wheel: expected one abi3 wheel in target/wheels, found ${#wheels[@]}: run scripts/build-wheels.sh" >&2
        exit 1
    fi
    wheel=${wheels[0]}
fi
echo "test-wheel: $(basename "$wheel")"

started=$EPOCHREALTIME
elapsed() { # seconds since $1, one decimal
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

rm -rf "$work"
mkdir -p "$work"
summary=("clean ${work#"$root"/}: $(elapsed "$started")s")
for mode in bare pandas pyarrow polars; do
    t0=$EPOCHREALTIME
    venv="$work/$mode"
    # A venv without pip of its own (fast to make); python3's pip installs into it.
    python3 -m venv --without-pip "$venv"
    spec=$wheel
    [[ $mode == bare ]] || spec="${wheel}[$mode]"
    python3 -m pip --python "$venv/bin/python" install --quiet --disable-pip-version-check \
        --no-input "$spec"
    t_install=$(elapsed "$t0")
    t1=$EPOCHREALTIME
    # From the venv's own directory, so that nothing of the source tree is importable.
    (cd "$venv" && "$venv/bin/python" -I "$smoke" "$mode")
    t_run=$(elapsed "$t1")
    summary+=("$mode: venv + install ${t_install}s, smoke ${t_run}s")
done

for line in "${summary[@]}"; do echo "test-wheel: $line"; done
echo "test-wheel: all four venvs passed in $(elapsed "$started")s"
