#!/usr/bin/env bash
# Rebuilds models/demo-sentiment/ and test/fixtures/demo-sentiment-pytorch.json from the labelled sentiment data:
# split (held-out first) -> tokenizer -> pre-tokenize -> train + temperature + ONNX export -> verify -> evaluate.
# Fixed seeds everywhere.
#
# Usage: tools/demo-model/build.sh [DATA_DIR]    (default: ../shared/realdata/train relative to the project)
# Extra train.py options can be passed in TRAIN_ARGS, e.g. TRAIN_ARGS="--epochs 3".
#
# The tokenizer step: the `tokenizers` WordPiece trainer breaks ties between equally frequent merges in
# (randomised) hash-map order, so retraining can give a slightly different vocabulary. The committed
# models/demo-sentiment/tokenizer.json is therefore reused when present; RETRAIN_TOKENIZER=1 (or deleting the
# file) trains a new one.
# Needs: node_modules (tokenizers, onnxruntime-node), Debian python3-torch + python3-onnx.
# PYTHON defaults to /usr/bin/python3 (Debian's interpreter, which has torch); override with PYTHON=...
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# a relative DATA_DIR is taken relative to where the command was run; the default is relative to the project
DATA_DIR="$(realpath "${1:-$HERE/../../../shared/realdata/train}")"
cd "$HERE"
PYTHON="${PYTHON:-/usr/bin/python3}"
TOKENIZER=../../models/demo-sentiment/tokenizer.json

echo "== 1/6 data: clean, deduplicate, hold out (before anything is learned)"
"$PYTHON" -u prepare-data.py "$DATA_DIR"
if [[ "${RETRAIN_TOKENIZER:-0}" == "1" || ! -f "$TOKENIZER" ]]; then
  echo "== 2/6 tokenizer (training on the training split)"
  node train-tokenizer.js
else
  echo "== 2/6 tokenizer (reusing committed $TOKENIZER; RETRAIN_TOKENIZER=1 to retrain)"
fi
echo "== 3/6 pre-tokenize"
node pretokenize.js --max-length 64
echo "== 4/6 train + temperature + export"
# shellcheck disable=SC2086
"$PYTHON" -u train.py ${TRAIN_ARGS:-}
# Then a second epoch from the first one's weights at half the learning rate, and a third from the second's at a
# quarter (each run restarts AdamW and its own warm-up + linear decay; the thread counts are the ones the
# committed model was trained with, kept because they can change the last bits).
cp work/model.pt work/epoch1.pt
"$PYTHON" -u train.py --load work/epoch1.pt --epochs 1 --lr 5e-4 --warmup 100 --seed 1 --threads 2
cp work/model.pt work/epoch2.pt
"$PYTHON" -u train.py --load work/epoch2.pt --epochs 1 --lr 2.5e-4 --warmup 50 --seed 2 --threads 2
cp work/model.pt work/epoch3.pt
# The committed model is the mean of the epoch-2 and epoch-3 weights, calibrated and exported (--epochs 0).
# --seed 1 only picks the validation/drift samples: the same ones as the two-epoch model shipped.
"$PYTHON" -u average-weights.py --out work/average.pt work/epoch2.pt work/epoch3.pt
"$PYTHON" -u train.py --load work/average.pt --epochs 0 --seed 1 --threads 2
echo "== 5/6 verify"
node verify.js
echo "== 6/6 evaluate (SST-2 dev and the held-out split of every source)"
node evaluate.js --write
