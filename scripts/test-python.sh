#!/usr/bin/env bash
# The Python door's tests: sets up .venv (scripts/setup-python.sh), runs pytest on
# tests/python (the lifecycle through Python, the shared vectors, the playbook JSON Schema),
# then checks the hand-written stubs against the compiled module with mypy.stubtest and
# type-checks the package and the tests with mypy --strict, and executes the notebooks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-python.sh
py=.venv/bin/python
mypy_config=crates/leadcore-py/mypy.ini

echo "==> pytest tests/python"
status=0
"$py" -m pytest tests/python "$@" || status=$?
if [[ $status -eq 5 ]]; then
    echo "test-python: pytest collected no tests; that is a failure here" >&2
    exit 1
elif [[ $status -ne 0 ]]; then
    exit "$status"
fi

echo "==> mypy.stubtest leadcore._leadcore"
"$py" -m mypy.stubtest --mypy-config-file "$mypy_config" leadcore._leadcore

echo "==> mypy --strict (package, tests, the wheel smoke test)"
"$py" -m mypy --config-file "$mypy_config" crates/leadcore-py/python/leadcore tests/python tests/wheel

echo "==> notebooks (examples/*.ipynb executed top to bottom)"
"$py" scripts/run_notebooks.py examples/*.ipynb
