#!/usr/bin/env bash
# Installs a built nabla into a temporary prefix and builds a consumer program against it twice:
# through find_package(nabla) (CMake) and through pkg-config. Both must run and print sum = 8.
# Then a core-only consumer (find_package(nabla COMPONENTS core)) whose ldd must show no PLplot,
# protobuf or OpenSSL: a program that wants tensors gets only the core's dependencies.
#   usage: run_install_test.sh <nabla build dir>
set -euo pipefail

build_dir=$(cd "${1:?usage: run_install_test.sh <nabla build dir>}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nabla-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

echo "== install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
for f in include/nabla/nabla.h lib/libnabla_core.so lib/libnabla_train.so lib/libnabla_serve.so lib/libnabla_onnx.so lib/cmake/nabla/nablaConfig.cmake \
         lib/cmake/nabla/nablaConfigVersion.cmake lib/cmake/nabla/nablaTargets.cmake \
         lib/pkgconfig/nabla.pc; do
  [[ -e "$prefix/$f" ]] || { echo "missing in install tree: $f" >&2; exit 1; }
done

# The installed library must not need anything from the build tree or the source tree.
export LD_LIBRARY_PATH=$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "== consumer via find_package(nabla)"
cmake -S "$here/consumer" -B "$tmp/consumer-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/consumer-build"
"$tmp/consumer-build/consumer"

echo "== consumer via pkg-config"
# shellcheck disable=SC2046  # pkg-config output is a list of flags: word splitting intended
g++ -o "$tmp/consumer-pc" "$here/consumer/main.cpp" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs nabla)
"$tmp/consumer-pc"

echo "== core-only consumer via find_package(nabla COMPONENTS core)"
cmake -S "$here/consumer_core" -B "$tmp/core-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/configure-core.log" || { cat "$tmp/configure-core.log"; exit 1; }
cmake --build "$tmp/core-build"
"$tmp/core-build/consumer_core"
ldd "$tmp/core-build/consumer_core" >"$tmp/ldd-core.txt"
if grep -E 'plplot|protobuf|libssl|libcrypto|nabla_(nn|io|data|text|train|serve)' "$tmp/ldd-core.txt"; then
  echo "core-only consumer loads libraries it does not need (above)" >&2
  exit 1
fi
echo "core-only consumer loads: $(awk '{print $1}' "$tmp/ldd-core.txt" | tr '\n' ' ')"

echo "install test: OK"
