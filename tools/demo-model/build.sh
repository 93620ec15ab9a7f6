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
echo "== 4/6 masked-LM pretraining, then train + temperature + export"
# A dim-192, 4-layer encoder (3 heads of 64, FFN 768; 3.75 M parameters), 1 torch thread (on the shared 2-core
# machine 1 thread was 3.5x faster than 2). First 2 epochs of masked-language modelling on the training split's own
# text (pretrain-mlm.py: BERT masking, labels unused, lr 5e-4, 300 warm-up steps, linear decay), then 3 epochs of
# classification from that encoder in ONE AdamW schedule (lr 3e-4, 300 warm-up steps, linear decay to 0 at the end
# of epoch 3). train.py keeps each epoch's end as work/epoch1.pt .. work/epoch3.pt.
"$PYTHON" -u pretrain-mlm.py --dim 192 --layers 4 --heads 3 --epochs 2 --lr 5e-4 --warmup 300 --threads 1 --out work/mlm-encoder.pt
# shellcheck disable=SC2086
"$PYTHON" -u train.py --dim 192 --layers 4 --heads 3 --epochs 3 --lr 3e-4 --warmup 300 --threads 1 \
  --init-encoder work/mlm-encoder.pt ${TRAIN_ARGS:-}
# The committed model is the element-wise mean of the epochs' end weights (checkpoint averaging; see
# average-weights.py), calibrated and exported (--epochs 0). --seed 1 only picks the validation/drift samples: the
# same ones as the models shipped before.
"$PYTHON" -u average-weights.py --out work/average.pt work/epoch1.pt work/epoch2.pt work/epoch3.pt
"$PYTHON" -u train.py --dim 192 --layers 4 --heads 3 --load work/average.pt --epochs 0 --seed 1 --threads 1
echo "== 5/6 verify"
node verify.js
echo "== 6/6 evaluate (SST-2 dev and the held-out split of every source)"
node evaluate.js --write
