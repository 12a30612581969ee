#!/usr/bin/env bash
# Fails if the engine includes Qt or a CUDA source outside kernels/torch includes torch.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
status=0
if hits=$(grep -rlE '#include *<Q[A-Za-z]+' "$root/engine" 2>/dev/null); then
    echo "engine/ must be Qt-free; Qt includes in:"; echo "$hits"; status=1
fi
if [ -d "$root/kernels" ]; then
    if hits=$(grep -rlE '#include *[<"](torch|ATen|c10)/' "$root/kernels" --include='*.cu' --include='*.cuh' --include='*.h' 2>/dev/null | grep -v '/kernels/torch/'); then
        echo "CUDA sources must not include torch; offenders:"; echo "$hits"; status=1
    fi
fi
[ $status -eq 0 ] && echo "module boundaries: ok"
exit $status
