#!/usr/bin/env python3
"""Recover train.py's PyTorch weights from an exported models/demo-sentiment/model.onnx.

Why: train.py keeps its weights in tools/demo-model/work/model.pt, which is git-ignored, so a later session that
wants to train further from the committed model (train.py --load) has only the ONNX file. The export keeps every
parameter as an initializer: LayerNorm/embedding/bias tensors under their PyTorch names (prefixed `model.`, the
Calibrated wrapper's attribute), the Linear layers of the encoder as anonymous `onnx::MatMul_*` tensors holding the
TRANSPOSED weight (x @ W^T), which are named here by the MatMul node that reads them. The temperature is not a
model parameter (a separate Mul by `inv_temperature`), so it is left out and reported.

The recovered model is then checked against test/fixtures/demo-sentiment-pytorch.json (PyTorch outputs of the same
weights): logits (times 1/T) and sentence embeddings must match within 1e-4, or nothing is written.

Usage: /usr/bin/python3 recover-weights.py [--onnx PATH] [--fixture PATH] [--out work/recovered.pt]
(--onnx reads config.json from the same directory)
"""
import argparse
import json
import os
import re
import sys

import onnx
import torch
from onnx import numpy_helper

from train import FIXTURE, MODEL_DIR, WORK, DistilBertForSequenceClassification

# the MatMul node name (set by torch.onnx.export from the module path) -> the Linear it came from
MATMUL_NODE = re.compile(r'^/model/(distilbert/transformer/layer\.(\d+)/(attention/(?:q|k|v|out)_lin|ffn/lin[12]))/MatMul$')


def read_onnx(path):
    graph = onnx.load(path).graph
    tensors = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}
    state = {}
    for name, tensor in tensors.items():
        if name.startswith('model.'):
            state[name[len('model.'):]] = tensor
    for node in graph.node:
        m = MATMUL_NODE.match(node.name)
        if node.op_type == 'MatMul' and m and node.input[1] in tensors:
            module = m.group(1).replace('/', '.')
            state[module + '.weight'] = tensors[node.input[1]].t().contiguous()
    return state, float(tensors['inv_temperature'])


def config_of(state, model_dir):
    with open(os.path.join(model_dir, 'config.json'), encoding='utf-8') as f:
        c = json.load(f)
    return {'vocab_size': c['vocab_size'], 'max_position_embeddings': c['max_position_embeddings'], 'dim': c['dim'],
            'n_layers': c['n_layers'], 'n_heads': c['n_heads'], 'hidden_dim': c['hidden_dim'],
            'dropout': c['dropout'], 'attention_dropout': c['attention_dropout'],
            'seq_classif_dropout': c['seq_classif_dropout'], 'initializer_range': c['initializer_range'],
            'pad_token_id': c['pad_token_id'], 'num_labels': len(c['id2label'])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--onnx', default=os.path.join(MODEL_DIR, 'model.onnx'))
    ap.add_argument('--out', default=os.path.join(WORK, 'recovered.pt'))
    ap.add_argument('--fixture', default=FIXTURE, help='PyTorch outputs of the same weights (an older commit\'s, '
                    'with an older model.onnx)')
    ap.add_argument('--tolerance', type=float, default=1e-4)
    args = ap.parse_args()

    state, inv_t = read_onnx(args.onnx)
    model = DistilBertForSequenceClassification(config_of(state, os.path.dirname(args.onnx))).eval()
    expected = set(model.state_dict())
    missing, unexpected = expected - set(state), set(state) - expected
    if missing or unexpected:
        sys.exit(f'recover-weights: the ONNX graph does not map onto train.py\'s model: missing {sorted(missing)}, '
                 f'unexpected {sorted(unexpected)}')
    model.load_state_dict(state)

    with open(args.fixture, encoding='utf-8') as f:
        fixture = json.load(f)
    worst_logit, worst_emb = 0.0, 0.0
    with torch.no_grad():
        for row in fixture['sentences'] + fixture['probes']:
            ids = torch.tensor([row['input_ids']], dtype=torch.long)
            logits, emb = model(ids, torch.ones_like(ids))
            worst_logit = max(worst_logit, float((logits[0] * inv_t - torch.tensor(row['logits'])).abs().max()))
            if 'sentence_embedding' in row:
                worst_emb = max(worst_emb, float((emb[0] - torch.tensor(row['sentence_embedding'])).abs().max()))
    n = len(fixture['sentences']) + len(fixture['probes'])
    print(f'recover-weights: {n} fixture texts, max abs diff logits {worst_logit:.3g}, sentence_embedding '
          f'{worst_emb:.3g} (temperature {1 / inv_t:.4f}, not part of the weights)')
    if worst_logit > args.tolerance or worst_emb > args.tolerance:
        sys.exit(f'recover-weights: recovered model does not reproduce {args.fixture} within '
                 f'{args.tolerance}; not writing {args.out}')
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(f'recover-weights: -> {args.out}')


if __name__ == '__main__':
    main()
