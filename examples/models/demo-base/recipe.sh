#!/usr/bin/env bash
# Rebuilds the demo base model from nothing: a corpus of made-up shops (not the sample shop), a
# byte-level BPE tokenizer learned from it, a random-init Qwen 3 model trained fully on it, then
# stored in bf16 with checksums. Usage: recipe.sh WORK_DIR [OUT_DIR]
# OUT_DIR defaults to this folder. Takes about 40 minutes on 2 CPU cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="${1:?usage: recipe.sh WORK_DIR [OUT_DIR]}"
out="${2:-$here}"
kefu="$root/kefu"
mkdir -p "$work"

# 1. 40 made-up shops x 150 training dialogs, plain tone; 5 held-out dialogs per shop for validation.
"$kefu" data generate-shop --random-shops 40 --train 150 --test 5 --seed 7 --out "$work/corpus"

# 2. The tokenizer: byte-level BPE with ChatML special tokens and chat template.
"$kefu" data train-tokenizer "$work/corpus/train.jsonl" --vocab-size 8192 --max-length 1024 --out "$work/tokenizer"

# 3. A random-init Qwen 3 of about 3.1M parameters (vocabulary padded to a multiple of 64).
"$kefu" model init --arch qwen3 --config "$here/config.init.json" --tokenizer "$work/tokenizer" \
    --out "$work/init" --seed 1

# 4. Full training from scratch, loss on the answers (one libtorch thread: steadier on 2 cores).
OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" "$kefu" train --full --model "$work/init" \
    --data "$work/corpus/train.jsonl" --validation "$work/corpus/test.jsonl" \
    --epochs 2 --batch-size 16 --grad-accum 1 --lr 2e-3 --warmup-ratio 0.03 --schedule COSINE \
    --max-grad-norm 1.0 --seed 1 --checkpoint-every 100 --out "$work/run"

# 5. Store in bf16, with checksums.
"$kefu" model cast --model "$work/run/model" --dtype bf16 --out "$work/bf16"
mkdir -p "$out"
for f in config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json; do
  cp "$work/bf16/$f" "$out/$f"
done
(cd "$out" && sha256sum config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json > SHA256SUMS)
echo "demo base model written to $out"
