#!/usr/bin/env python3
"""Writes a BERT-base-sized text classifier with random weights, for benchmarks that must mean something for
real models: 12 layers, hidden 768, 12 heads, FFN 3072, vocabulary 30522 (bert-base-uncased's), 2 labels.

The weights are random (seeded): the figures it produces are about speed, never accuracy. The model directory
has the layout `optimum-cli export onnx --task text-classification` writes: model.onnx (inputs input_ids,
attention_mask, token_type_ids; output logits), config.json, tokenizer_config.json, and tokenizer.json linked
from ../shared/realdata (bert-base-uncased; never copied). For @huggingface/transformers, onnx/model.onnx links
to the same file.

Usage: /usr/bin/python3 tools/bert-base-random/make_model.py [output_dir]   (default bench/models/bert-base-random)
Needs Debian's python3-torch and python3-onnx (apt-get install python3-torch python3-onnx).
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
TOKENIZER = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'realdata', 'tokenizers', 'bert-base-uncased', 'tokenizer.json'))
CONFIG = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
              intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.heads = c['hidden_size'], c['num_attention_heads']
        self.qkv = nn.Linear(h, 3 * h)
        self.out = nn.Linear(h, h)
        self.norm1 = nn.LayerNorm(h, eps=c['layer_norm_eps'])
        self.ffn = nn.Sequential(nn.Linear(h, c['intermediate_size']), nn.GELU(), nn.Linear(c['intermediate_size'], h))
        self.norm2 = nn.LayerNorm(h, eps=c['layer_norm_eps'])

    def forward(self, x, additive_mask):
        b, s, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(x).view(b, s, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive_mask
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, h)
        x = self.norm1(x + self.out(context))
        return self.norm2(x + self.ffn(x))


class BertClassifier(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['hidden_size']
        self.words = nn.Embedding(c['vocab_size'], h)
        self.positions = nn.Embedding(c['max_position_embeddings'], h)
        self.types = nn.Embedding(c['type_vocab_size'], h)
        self.norm = nn.LayerNorm(h, eps=c['layer_norm_eps'])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c['num_hidden_layers']))
        self.pooler = nn.Sequential(nn.Linear(h, h), nn.Tanh())
        self.classifier = nn.Linear(h, 2)

    def forward(self, input_ids, attention_mask, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.norm(self.words(input_ids) + self.positions(positions) + self.types(token_type_ids))
        # Padded keys get the most negative float, so padding never changes a row's result.
        additive_mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, additive_mask)
        return self.classifier(self.pooler(x[:, 0]))


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'bench', 'models', 'bert-base-random'))
    if not os.path.isfile(TOKENIZER):
        sys.exit(f'missing {TOKENIZER}: this script needs ../shared/realdata beside the project')
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    torch.manual_seed(0)
    model = BertClassifier(CONFIG).eval()
    # BERT's initialisation, so activations have a real model's scale: weights N(0, 0.02), biases 0, LayerNorm 1.
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.bias)
        if isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
    ids = torch.randint(1000, 2000, (2, 16))
    args = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    axes = {'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
            'token_type_ids': {0: 'batch', 1: 'sequence'}, 'logits': {0: 'batch'}}
    path = os.path.join(out, 'model.onnx')
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=['input_ids', 'attention_mask', 'token_type_ids'],
                          output_names=['logits'], dynamic_axes=axes, opset_version=14, do_constant_folding=True)
    config = dict(CONFIG, _name_or_path='bert-base-random', model_type='bert', architectures=['BertForSequenceClassification'],
                  id2label={'0': 'NEGATIVE', '1': 'POSITIVE'}, label2id={'NEGATIVE': 0, 'POSITIVE': 1}, pad_token_id=0)
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, 'tokenizer_config.json'), 'w') as f:
        json.dump({'tokenizer_class': 'BertTokenizerFast', 'do_lower_case': True, 'model_max_length': 512}, f, indent=2)
    for link, target in [(os.path.join(out, 'tokenizer.json'), TOKENIZER), (os.path.join(out, 'onnx', 'model.onnx'), '../model.onnx')]:
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(target, link)
    print(f'wrote {out} ({os.path.getsize(path) / 1e6:.0f} MB model.onnx)')


if __name__ == '__main__':
    main()
