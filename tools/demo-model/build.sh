#!/usr/bin/env bash
# Rebuilds models/demo-sentiment/ and test/fixtures/demo-sentiment-pytorch.json:
# corpus -> tokenizer -> pre-tokenize -> train + ONNX export -> verify. Fixed seeds everywhere.
#
# The tokenizer step: the `tokenizers` WordPiece trainer breaks ties between equally frequent
# merges in (randomised) hash-map order, so retraining gives a slightly different vocabulary
# every run. The committed models/demo-sentiment/tokenizer.json is therefore reused when present;
# set RETRAIN_TOKENIZER=1 (or delete the file) to train a new one.
# Needs: node_modules (tokenizers, onnxruntime-node), Debian python3-torch + python3-onnx.
# PYTHON defaults to /usr/bin/python3 (Debian's interpreter, which has torch); override with PYTHON=...
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-/usr/bin/python3}"
TOKENIZER=../../models/demo-sentiment/tokenizer.json

echo "== 1/5 corpus"
node generate-corpus.js
if [[ "${RETRAIN_TOKENIZER:-0}" == "1" || ! -f "$TOKENIZER" ]]; then
  echo "== 2/5 tokenizer (training)"
  node train-tokenizer.js
else
  echo "== 2/5 tokenizer (reusing committed $TOKENIZER; RETRAIN_TOKENIZER=1 to retrain)"
fi
echo "== 3/5 pre-tokenize"
node pretokenize.js
echo "== 4/5 train+export"
"$PYTHON" -u train.py
echo "== 5/5 verify"
node verify.js
