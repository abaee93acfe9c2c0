#!/usr/bin/env bash
# The C side of leadcore's tests. Builds the C door and installs it with scripts/install-c.sh
# (debug build) into two temporary prefixes under target/c-tests: one with both libraries,
# one with libleadcore.a only. Then:
#   1. compiles tests/c/header/header_check.c as C99, C11, C++11 and C++17 with
#      -Wall -Wextra -Werror -pedantic (gcc/g++, and clang/clang++ if installed), and runs the
#      C++17 build against the shared library;
#   2. compiles tests/c (plain C11, linked statically through `pkg-config --static`) and runs
#      it with AddressSanitizer + UndefinedBehaviorSanitizer, then without sanitizers (-O1 -g)
#      under valgrind (skipped with a message if not installed); each run executes the C API
#      unit tests and every shared vector in tests/vectors, and ends with "N passed, M failed";
#   3. builds examples/c/pkgconfig_demo.c with `pkg-config --cflags --libs leadcore` against
#      the shared library (libleadcore.so.0, found through an rpath) and with
#      `pkg-config --static` against libleadcore.a, and runs both under valgrind; if cmake is
#      installed, builds it once more through find_package(leadcore);
#   4. runs the C main job (examples/c/funnel.c) when ../shared/data is there.
# Works from any directory. Usage: scripts/test-c.sh [VECTORS_DIR]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
vectors="${1:-tests/vectors}"
cc="${CC:-gcc}"
cxx="${CXX:-g++}"
out="target/c-tests"
prefixes="$PWD/$out/prefix"
both="$prefixes/both"
static="$prefixes/static"
rm -rf "$prefixes"
mkdir -p "$out"

# pkg-config (Debian's pkgconf) is what the packaging is tested through: install it when
# missing, as root (as CI runs), like scripts/setup-postgres.sh does for PostgreSQL.
if ! command -v pkg-config >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || { echo "pkg-config is missing: install pkgconf" >&2; exit 1; }
    echo "==> installing pkg-config (pkgconf) from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q pkgconf >/dev/null 2>&1 || {
        apt-get update -q >/dev/null
        apt-get install -y -q pkgconf >/dev/null
    }
fi

echo "==> scripts/install-c.sh into $both and (libleadcore.a only) $static"
PREFIX="$both" PROFILE=debug bash scripts/install-c.sh >/dev/null
PREFIX="$static" PROFILE=debug LIBRARY_TYPES=static bash scripts/install-c.sh >/dev/null
pc_both() { PKG_CONFIG_PATH="$both/lib/pkgconfig" pkg-config "$@" leadcore; }
pc_static() { PKG_CONFIG_PATH="$static/lib/pkgconfig" pkg-config "$@" leadcore; }
if [ "$(pc_both --modversion)" != "$(cargo pkgid -p leadcore-ffi | sed 's/.*[#@]//')" ]; then
    echo "leadcore.pc does not carry Cargo's version" >&2
    exit 1
fi

echo "==> include/leadcore.h as C99, C11, C++11 and C++17 (-Wall -Wextra -Werror -pedantic)"
warn=(-Wall -Wextra -Werror -pedantic -Wundef -Wshadow)
compilers=("$cc" "$cxx")
if command -v clang >/dev/null 2>&1 && command -v clang++ >/dev/null 2>&1; then
    compilers+=(clang clang++)
else
    echo "(clang is not installed: gcc and g++ only)"
fi
for compiler in "${compilers[@]}"; do
    case "$compiler" in
        *++) modes=("c++ c++11 -Wold-style-cast -Wzero-as-null-pointer-constant"
            "c++ c++17 -Wold-style-cast -Wzero-as-null-pointer-constant") ;;
        *) modes=("c c99 -Wstrict-prototypes" "c c11 -Wstrict-prototypes") ;;
    esac
    for mode in "${modes[@]}"; do
        read -r lang std extra <<<"$mode"
        # shellcheck disable=SC2086 # $extra: several flags
        "$compiler" -x "$lang" -std="$std" "${warn[@]}" $extra $(pc_both --cflags) \
            -c tests/c/header/header_check.c -o "$out/header_check_${compiler##*/}_$std.o"
        echo "   $compiler -std=$std: clean"
    done
done
"$cxx" "$out/header_check_${cxx##*/}_c++17.o" $(pc_both --libs) -Wl,-rpath,"$both/lib" \
    -o "$out/header_check_cxx17"
"$out/header_check_cxx17"

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -Iinclude)
read -r -a libs <<<"$(pc_static --static --libs)"
sources=(tests/c/*.c)

echo "==> C tests under AddressSanitizer + UndefinedBehaviorSanitizer"
"$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer "${sources[@]}" "${libs[@]}" -o "$out/leadcore_c_tests_asan"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    "$out/leadcore_c_tests_asan" "$vectors"

have_valgrind=0
command -v valgrind >/dev/null 2>&1 && have_valgrind=1
under_valgrind() {
    if [ "$have_valgrind" = 1 ]; then
        valgrind --quiet --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect "$@"
    else
        "$@"
    fi
}
echo "==> C tests under valgrind"
"$cc" "${cflags[@]}" -O1 "${sources[@]}" "${libs[@]}" -o "$out/leadcore_c_tests"
if [ "$have_valgrind" = 1 ]; then
    under_valgrind "$out/leadcore_c_tests" "$vectors"
else
    echo "valgrind is not installed: skipping the valgrind run (the ASan run above passed)"
fi

echo "==> examples/c/pkgconfig_demo.c built with pkg-config: shared, then static$(
    [ "$have_valgrind" = 1 ] && echo ', under valgrind')"
demo_flags=(-std=c11 -Wall -Wextra -Werror -pedantic -g)
# shellcheck disable=SC2046 # pkg-config output: several flags
"$cc" "${demo_flags[@]}" examples/c/pkgconfig_demo.c $(pc_both --cflags --libs) \
    -Wl,-rpath,"$both/lib" -o "$out/pkgconfig_demo_shared"
readelf -d "$out/pkgconfig_demo_shared" | grep -q 'NEEDED.*\[libleadcore\.so\.0\]'
under_valgrind "$out/pkgconfig_demo_shared"
# shellcheck disable=SC2046
"$cc" "${demo_flags[@]}" examples/c/pkgconfig_demo.c $(pc_static --static --cflags --libs) \
    -o "$out/pkgconfig_demo_static"
if readelf -d "$out/pkgconfig_demo_static" | grep -q 'NEEDED.*libleadcore'; then
    echo "the pkg-config --static build needs libleadcore.so" >&2
    exit 1
fi
under_valgrind "$out/pkgconfig_demo_static" >/dev/null

if command -v cmake >/dev/null 2>&1; then
    echo "==> examples/c/pkgconfig_demo.c built with CMake's find_package(leadcore)"
    cmake -S tests/c/cmake -B "$out/cmake" -DCMAKE_PREFIX_PATH="$both" \
        -DLEADCORE_DEMO="$PWD/examples/c/pkgconfig_demo.c" >/dev/null
    cmake --build "$out/cmake" >/dev/null
    "$out/cmake/demo_shared" >/dev/null
    "$out/cmake/demo_static" >/dev/null
    readelf -d "$out/cmake/demo_shared" | grep -q 'NEEDED.*\[libleadcore\.so\.0\]'
    echo "   leadcore::leadcore and leadcore::leadcore_static: built and ran"
else
    echo "(cmake is not installed: skipping the find_package(leadcore) build)"
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
rm -rf "$prefixes"
echo "==> C tests passed"
