#!/usr/bin/env bash
# Builds the LibTorch-style programs in examples/libtorch/ against an installed nabla, each with its own
# unchanged CMakeLists.txt (find_package(Torch), CXX_STANDARD 17), and runs them: --smoke (a short
# training run on generated data) and --check (fixed weights; the programs check themselves where they
# can, and tools/libtorch-compat compares the printed values with LibTorch's).
#   usage: run_libtorch_programs.sh <nabla build dir>
set -euo pipefail

build_dir=$(cd "${1:?usage: run_libtorch_programs.sh <nabla build dir>}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nabla-libtorch-programs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build_dir" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
for f in share/cmake/Torch/TorchConfig.cmake include/torch/torch.h lib/pkgconfig/nabla-torch.pc lib/libnabla_torch.so; do
  [[ -e "$prefix/$f" ]] || { echo "missing in install tree: $f" >&2; exit 1; }
done
export LD_LIBRARY_PATH=$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

for dir in "$root"/examples/libtorch/*/; do
  name=$(basename "$dir")
  echo "== $name: configure and build with find_package(Torch) -> nabla"
  cmake -S "$dir" -B "$tmp/$name" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
    >"$tmp/$name.configure.log" || { cat "$tmp/$name.configure.log"; exit 1; }
  cmake --build "$tmp/$name"
  (cd "$tmp/$name" && "./$name" --smoke >"$tmp/$name.smoke.log" 2>&1) || { cat "$tmp/$name.smoke.log"; exit 1; }
  tail -n 2 "$tmp/$name.smoke.log"
  (cd "$tmp/$name" && "./$name" --check >"$tmp/$name.check.log" 2>&1) || { cat "$tmp/$name.check.log"; exit 1; }
  grep -c '^check ' "$tmp/$name.check.log" | sed "s/^/$name: check lines: /"
done
echo "libtorch programs: OK"
