#!/usr/bin/env bash
# Every test of every door: Rust (unit, property, doctests, shared vectors, schema and header
# drift), Python (pytest + stub check) and C (ASan/UBSan and valgrind). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says how long the one before it took, and the end the total: where CI's time goes.
started=$SECONDS
last=$SECONDS
step() {
    printf '\n(%d s)\n==> %s\n' "$((SECONDS - last))" "$*"
    last=$SECONDS
}
trap 'printf "\n(%d s)\ntest.sh: %d s in all\n" "$((SECONDS - last))" "$((SECONDS - started))"' EXIT

step "format"
cargo fmt --all -- --check

step "clippy: the core on its own (feature unification must not let the clock in)"
cargo clippy -p leadcore --all-targets -- -D warnings

step "the core without its default features (JSON playbooks only: no yaml, toml, schema)"
cargo clippy -p leadcore --no-default-features --lib -- -D warnings
cargo test -p leadcore --no-default-features --lib --quiet

step "clippy: workspace"
cargo clippy --workspace --all-targets -- -D warnings

step "rustdoc: the core's, leadcore-arrow's and leadcore-hint's docs build without warnings (broken links fail)"
RUSTDOCFLAGS="-D warnings" cargo doc -p leadcore -p leadcore-arrow -p leadcore-hint --no-deps --quiet

step "Rust tests (all crates, doctests, shared vectors)"
cargo test --workspace

step "Python door"
bash scripts/test-python.sh

step "Python wheel: the manylinux2014 abi3 release wheel and sdist (glibc <= 2.17 checked), installed into fresh venvs: bare, then with pandas, pyarrow, polars"
# Always built: cargo's own fingerprints make a warm rebuild ~4 s, and a clean one is the
# release build a user's pip install does.
bash scripts/build-wheels.sh
bash scripts/test-wheel.sh

step "Scoring exactness: the realistic fixture (200,000 events) against an f64 reference, term by term, and the door against the core"
cargo run --quiet --example realistic_fixture -- target/realistic-small 200000 2000 >/dev/null
cargo build --quiet --example realistic_core
LEADCORE_CORE_BIN=target/debug/examples/realistic_core \
    .venv/bin/python benches/scoring_realistic.py target/realistic-small --strict --tol 1e-12 --runs 1 >/dev/null

step "Forecast backtest on the Maven opportunities (fails when a target of issue #11 is lost)"
cargo run --quiet --example forecast_backtest >/dev/null

step "Pipeline metrics: the columnar path against pandas (groupby, merge) on a 100,000-deal stage history, every figure equal"
.venv/bin/python benches/analytics_pandas.py --debug --deals 100000 --dir target/analytics-small --runs 1 >/dev/null

step "Instruction budgets: the batch scorer's and the pipeline metrics' instruction counts (callgrind, release build) within 2% of benches/instruction_budget.json"
.venv/bin/python benches/instruction_budget.py

step "C door"
bash scripts/test-c.sh

step "PostgreSQL host example (examples/host_postgres: 20,000 leads, 4 workers, one killed mid-transaction)"
(
    # A throwaway server under target/postgres, stopped again whatever happens.
    trap 'bash scripts/setup-postgres.sh stop' EXIT
    bash scripts/setup-postgres.sh
    # shellcheck source=/dev/null
    . target/postgres/env
    .venv/bin/python examples/host_postgres/run_test.py
)
