#!/bin/sh
# CTest io_pt_torch_load: PyTorch loads nabla's .pt files (tests/io/pt_torch_check.py). Exit 77 (skipped)
# without Debian's python3 and python3-torch, which CI need not have.
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "python3-torch is not installed: skipped"
  exit 77
fi
exec /usr/bin/python3 "$(dirname "$0")/pt_torch_check.py" "$@"
