#!/usr/bin/env bash
# Builds leadcore's Python distribution into target/wheels/:
#   - a release abi3 wheel (CPython >= 3.11) for manylinux2014 (glibc >= 2.17), linked by
#     maturin's zig linker (`ziglang` from PyPI, so no manylinux container is needed), with the
#     extension's symbol table stripped;
#   - an sdist (`maturin sdist`: the leadcore-py crate with the workspace crates it needs).
# Then checks the wheel really needs no glibc newer than 2.17: `auditwheel show` must find
# it consistent with manylinux_2_17 or older, and the extension's newest GLIBC_ symbol
# version (objdump -T) must be <= 2.17. Either failing fails the script.
#
# Usage: bash scripts/build-wheels.sh (no arguments). Always builds: cargo's fingerprints
# make a rebuild with nothing changed take ~4 s here, a clean one ~8 min on one core.
# maturin, ziglang and auditwheel go into the project's .venv (created if missing).
# Honours CARGO_TARGET_DIR and CARGO_BUILD_JOBS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
venv="$root/.venv"
out="$root/target/wheels"
max_glibc=2.17

if [[ $# -ne 0 ]]; then
    echo "build-wheels: takes no arguments" >&2
    exit 2
fi

newest_wheel() { find "$out" -maxdepth 1 -name 'leadcore-*-abi3-manylinux*.whl' 2>/dev/null | sort | tail -n 1; }
newest_sdist() { find "$out" -maxdepth 1 -name 'leadcore-*.tar.gz' 2>/dev/null | sort | tail -n 1; }

# The build tools, pinned to what was checked here (maturin 1.16 with zig 0.17 links a
# glibc 2.17 wheel); the stamp skips pip when nothing changed.
requirements=(
    "maturin>=1.9,<2"
    "ziglang>=0.17,<0.18"
    "auditwheel>=6,<7"
)
if [[ ! -x "$venv/bin/python" ]]; then
    echo "build-wheels: creating $venv"
    python3 -m venv "$venv"
fi
stamp="$venv/.leadcore-build-requirements"
wanted=$(printf '%s\n' "${requirements[@]}")
if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$wanted" ]]; then
    echo "build-wheels: installing ${requirements[*]}"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
    printf '%s\n' "$wanted" >"$stamp"
fi
# maturin finds zig as `python -m ziglang` with the first python on PATH: the venv's.
export PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv"

mkdir -p "$out"
rm -f "$out"/leadcore-*.whl "$out"/leadcore-*.tar.gz

echo "build-wheels: maturin build --release --zig --compatibility manylinux2014 --strip"
maturin build --quiet --release --zig --compatibility manylinux2014 --strip \
    --manifest-path crates/leadcore-py/Cargo.toml --out "$out"
echo "build-wheels: maturin sdist"
maturin sdist --manifest-path crates/leadcore-py/Cargo.toml --out "$out"

wheel=$(newest_wheel)
sdist=$(newest_sdist)
[[ -n "$wheel" ]] || { echo "build-wheels: no abi3 wheel in $out" >&2; exit 1; }
[[ -n "$sdist" ]] || { echo "build-wheels: no sdist in $out" >&2; exit 1; }

# Check 1: auditwheel's verdict on the whole wheel (every versioned symbol it references).
report=$(auditwheel show "$wheel")
tag=$(printf '%s\n' "$report" | tr -d '\n' | grep -o 'consistent with the following platform tag: *"manylinux_2_[0-9]*_x86_64"' |
    grep -o 'manylinux_2_[0-9]*' || true)
if [[ -z "$tag" ]]; then
    printf '%s\n' "$report" >&2
    echo "build-wheels: auditwheel found no manylinux tag for $(basename "$wheel")" >&2
    exit 1
fi
if [[ "$(printf '2.%s\n%s\n' "${tag#manylinux_2_}" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]]; then
    printf '%s\n' "$report" >&2
    echo "build-wheels: auditwheel says $tag, newer than glibc $max_glibc" >&2
    exit 1
fi

# Check 2: the newest GLIBC_ symbol version the extension itself asks for.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m zipfile -e "$wheel" "$tmp"
so=$(find "$tmp" -name '_leadcore*.so')
newest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
if [[ "$(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]]; then
    objdump -T "$so" | grep "GLIBC_$newest" >&2
    echo "build-wheels: the extension needs GLIBC_$newest, newer than $max_glibc" >&2
    exit 1
fi

echo "build-wheels: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB): auditwheel $tag, newest symbol GLIBC_$newest (<= $max_glibc)"
echo "build-wheels: $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB)"
