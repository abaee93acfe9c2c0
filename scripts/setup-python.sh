#!/usr/bin/env bash
# Sets up the Python door for development: a virtualenv at .venv (created if missing), the
# tools the tests need, and the leadcore package built from crates/leadcore-py with
# `maturin develop`. Idempotent: a second run only rebuilds what changed.
# Needs python3 (with venv and pip) and cargo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
venv="$root/.venv"

# Pinned to major versions; the stamp below skips pip when nothing changed.
requirements=(
    "maturin>=1.9,<2"
    "pytest>=8,<10"
    "mypy>=1.13,<2"
    "jsonschema>=4.20,<5"
    "pyyaml>=6,<7"
    # Columnar scoring tests: numpy arrays, and pandas, pyarrow and polars tables (the Arrow C
    # stream interface). None of them is a dependency of the leadcore package itself.
    "numpy>=2,<3"
    "pandas>=2.2,<4"
    "pyarrow>=17,<30"
    "polars>=1.20,<2"
    # The PostgreSQL host example (examples/host_postgres): its workers and test talk to the
    # server through psycopg 3 (the binary wheel bundles libpq).
    "psycopg[binary]>=3.2,<4"
    # The notebooks under examples/, executed by the tests, and their plots.
    "nbclient>=0.10,<1"
    "nbformat>=5.10,<6"
    "ipykernel>=6.29,<8"
    "matplotlib>=3.8,<4"
)

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup-python: creating $venv"
    python3 -m venv "$venv"
fi

stamp="$venv/.leadcore-requirements"
wanted=$(printf '%s\n' "${requirements[@]}")
if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$wanted" ]]; then
    echo "setup-python: installing ${requirements[*]}"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
    printf '%s\n' "$wanted" >"$stamp"
fi

echo "setup-python: maturin develop (crates/leadcore-py)"
cd crates/leadcore-py
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" "$venv/bin/maturin" develop --quiet
"$venv/bin/python" -c 'import leadcore; print("setup-python: leadcore", leadcore.__version__, "ready in .venv")'
