#!/usr/bin/env bash
# Peak memory of `convert` on a real 200 MB checkpoint, as a multiple of the file's size.
# The checkpoint is written by real PyTorch (/usr/bin/python3 with torch; the python3 on PATH may
# have none) at measurement time, into a temporary folder, never committed. Needs GNU time
# (/usr/bin/time -v) and the built CLI (npm run build). Target: a peak of at most 2.5x the file.
#
#   scripts/measure-convert-memory.sh [MB]     (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-200}"
PYTHON="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -f dist/cli/main.js ] || npm run build --silent

"$PYTHON" - "$work/big.pt" "$MB" <<'PY'
import sys, torch, torch.nn as nn
path, mb = sys.argv[1], int(sys.argv[2])
# 24 conv + InstanceNorm2d(affine, running stats) blocks, 512 channels: ~9.4 MB of float32 per conv
class Net(nn.Module):
    def __init__(self, blocks, c=512):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Sequential(nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c, affine=True, track_running_stats=True)) for _ in range(blocks)])
blocks = max(1, round(mb * 1e6 / (512 * 512 * 9 * 4)))
torch.save(Net(blocks).state_dict(), path)
PY

measure() {  # measure LABEL IN OUT ARGS...
  local label=$1 in=$2 out=$3; shift 3
  local size peak
  size=$(stat -c %s "$in")
  peak=$( { /usr/bin/time -v node dist/cli/main.js convert "$in" "$out" "$@" > /dev/null; } 2>&1 | awk -F': ' '/Maximum resident set size/ {print $2}')
  awk -v l="$label" -v s="$size" -v p="$peak" 'BEGIN { printf "%-28s file %7.1f MB  peak RSS %7.1f MB  = %.2fx the file\n", l, s/1e6, p*1024/1e6, p*1024/s }'
}
baseline=$( { /usr/bin/time -v node dist/cli/main.js --version > /dev/null; } 2>&1 | awk -F': ' '/Maximum resident set size/ {print $2}')
echo "node + CLI baseline (--version): $(awk -v p="$baseline" 'BEGIN { printf "%.1f MB", p*1024/1e6 }') peak RSS (included below)"
measure "torch .pt -> MindSpore .ckpt" "$work/big.pt" "$work/big.ckpt" --layer 'blocks.*.1'
measure "MindSpore .ckpt -> torch .pt" "$work/big.ckpt" "$work/back.pt" --to torch --layer 'blocks.*.1:track'
measure "torch .pt -> .safetensors" "$work/big.pt" "$work/big.safetensors" --to mindspore --layer 'blocks.*.1'
measure ".safetensors -> torch .pt" "$work/big.safetensors" "$work/again.pt" --to torch --layer 'blocks.*.1:track'
