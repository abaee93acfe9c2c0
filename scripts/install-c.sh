#!/usr/bin/env bash
# Builds leadcore's C door and installs it for C and C++ programs:
#   $INCLUDEDIR/leadcore.h
#   $LIBDIR/libleadcore.so.X.Y.Z      the shared library, SONAME libleadcore.so.0
#   $LIBDIR/libleadcore.so.0 -> libleadcore.so.X.Y.Z, libleadcore.so -> libleadcore.so.0
#   $LIBDIR/libleadcore.a             the static library
#   $LIBDIR/pkgconfig/leadcore.pc     pkg-config --cflags --libs [--static] leadcore
#   $LIBDIR/cmake/leadcore/           find_package(leadcore) -> leadcore::leadcore
# Settings (environment variables):
#   PREFIX=/usr/local         where it goes (absolute)
#   LIBDIR=$PREFIX/lib        INCLUDEDIR=$PREFIX/include
#   DESTDIR=                  staging root for packagers: files go to $DESTDIR$PREFIX/...,
#                             while leadcore.pc and the CMake files name $PREFIX
#   PROFILE=release           the Cargo profile to build (debug is Cargo's dev profile)
#   LIBRARY_TYPES="shared static"   "static" alone installs only libleadcore.a, so that
#                             `pkg-config --static --libs leadcore` links it statically
# Linux (and other ELF targets) only. Works from any directory.
# Usage: PREFIX=$HOME/.local bash scripts/install-c.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
prefix="${PREFIX:-/usr/local}"
libdir="${LIBDIR:-$prefix/lib}"
includedir="${INCLUDEDIR:-$prefix/include}"
destdir="${DESTDIR:-}"
profile="${PROFILE:-release}"
types="${LIBRARY_TYPES:-shared static}"
for dir in "$prefix" "$libdir" "$includedir"; do
    case "$dir" in
        /*) ;;
        *) echo "install-c.sh: PREFIX, LIBDIR and INCLUDEDIR must be absolute: $dir" >&2; exit 2 ;;
    esac
done
shared=0 static=0
for t in $types; do
    case "$t" in
        shared) shared=1 ;;
        static) static=1 ;;
        *) echo "install-c.sh: LIBRARY_TYPES takes shared and/or static, not '$t'" >&2; exit 2 ;;
    esac
done
case "$profile" in
    debug | dev) cargo_profile=dev out_dir=debug ;;
    *) cargo_profile="$profile" out_dir="$profile" ;;
esac

# Build, asking rustc which system libraries the static library needs (for Libs.private);
# Cargo replays the note when the library is already up to date.
echo "==> cargo rustc -p leadcore-ffi --lib --profile $cargo_profile"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo rustc -p leadcore-ffi --lib --profile "$cargo_profile" --color never \
    -- --print native-static-libs 2>&1 | tee "$log" | { grep -v '^note: ' || true; } >&2
libs_private="$(sed -n 's/^note: native-static-libs: //p' "$log" | tail -n 1)"
if [ -z "$libs_private" ]; then
    echo "install-c.sh: rustc did not print the static library's native libraries" >&2
    exit 1
fi

target_dir="$(cargo metadata --no-deps --format-version 1 |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
built="$target_dir/$out_dir"
pkgid="$(cargo pkgid -p leadcore-ffi)"
version="${pkgid##*[#@]}"
major="${version%%.*}" rest="${version#*.}"
minor="${rest%%.*}"
so_file="libleadcore.so.$version"
soname="$(readelf -d "$built/libleadcore_ffi.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
if [ -z "$soname" ]; then
    echo "install-c.sh: $built/libleadcore_ffi.so has no SONAME (see crates/leadcore-ffi/build.rs)" >&2
    exit 1
fi

# ${prefix}-relative paths in leadcore.pc when they are under PREFIX (as pkg-config likes).
pc_path() {
    case "$1" in
        "$prefix"/*) printf '${prefix}%s' "${1#"$prefix"}" ;;
        *) printf '%s' "$1" ;;
    esac
}
cmake_libs="$(printf '%s\n' $libs_private | sed -n 's/^-l//p' | paste -sd ';' -)"
# fill TEMPLATE LIBDIR INCLUDEDIR: the template with its @NAME@ placeholders replaced.
fill() {
    local args=() kv
    for kv in "PREFIX=$prefix" "LIBDIR=$2" "INCLUDEDIR=$3" "VERSION=$version" \
        "VERSION_MAJOR=$major" "VERSION_MINOR=$minor" "LIBS_PRIVATE=$libs_private" \
        "CMAKE_LIBS_PRIVATE=$cmake_libs" "SONAME=$soname" "SHARED_FILE=$so_file"; do
        args+=(-e "s|@${kv%%=*}@|$(printf '%s' "${kv#*=}" | sed 's/[\\|&]/\\&/g')|g")
    done
    sed "${args[@]}" "$1"
}

echo "==> installing leadcore $version ($types) into $destdir$prefix"
install -d "$destdir$includedir" "$destdir$libdir/pkgconfig" "$destdir$libdir/cmake/leadcore"
install -m 644 include/leadcore.h "$destdir$includedir/leadcore.h"
if [ "$shared" = 1 ]; then
    install -m 755 "$built/libleadcore_ffi.so" "$destdir$libdir/$so_file"
    ln -sfn "$so_file" "$destdir$libdir/$soname"
    ln -sfn "$soname" "$destdir$libdir/libleadcore.so"
fi
if [ "$static" = 1 ]; then
    install -m 644 "$built/libleadcore_ffi.a" "$destdir$libdir/libleadcore.a"
fi
fill packaging/leadcore.pc.in "$(pc_path "$libdir")" "$(pc_path "$includedir")" \
    >"$destdir$libdir/pkgconfig/leadcore.pc"
fill packaging/leadcoreConfig.cmake.in "$libdir" "$includedir" \
    >"$destdir$libdir/cmake/leadcore/leadcoreConfig.cmake"
fill packaging/leadcoreConfigVersion.cmake.in "$libdir" "$includedir" \
    >"$destdir$libdir/cmake/leadcore/leadcoreConfigVersion.cmake"
chmod 644 "$destdir$libdir/pkgconfig/leadcore.pc" "$destdir$libdir/cmake/leadcore/"*.cmake
echo "installed${destdir:+ under $destdir}: $includedir/leadcore.h, $libdir/pkgconfig/leadcore.pc,"
echo "  $libdir/cmake/leadcore/leadcoreConfig{,Version}.cmake"
[ "$shared" = 1 ] && echo "  $libdir/$so_file, $soname -> $so_file, libleadcore.so -> $soname"
[ "$static" = 1 ] && echo "  $libdir/libleadcore.a (links with: $libs_private)"
# A system-wide install: refresh the loader's cache so that libleadcore.so.0 is found.
system_libdir=0
case "$libdir" in /lib | /lib64 | /usr/lib | /usr/lib64 | /usr/local/lib | /usr/local/lib64)
    system_libdir=1 ;;
esac
if [ "$shared$system_libdir" = 11 ] && [ -z "$destdir" ] && [ "$(id -u)" = 0 ] &&
    command -v ldconfig >/dev/null; then
    ldconfig
elif [ "$shared" = 1 ]; then
    echo "programs find libleadcore.so.0 through -Wl,-rpath,$libdir, LD_LIBRARY_PATH or ldconfig"
fi
exit 0
