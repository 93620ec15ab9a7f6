#!/usr/bin/env python3
"""Masked-language-model pretraining of the demo model's encoder on the training split's own text.

Why: the encoder starts from random weights and sees only ~110,000 labelled texts. Predicting masked words of the
same texts first (task-adaptive pretraining; the masked-LM objective of Devlin et al. 2019, with DistilBERT's
head) teaches it how words relate before it learns what is positive or negative. Only the training split is read,
labels ignored: the held-out splits and SST-2 dev are never seen here.

Masking (BERT's recipe): 15 % of the non-special tokens of each text are chosen; of those 80 % become [MASK],
10 % a random token, 10 % stay; the loss is cross-entropy on the chosen positions only. The prediction head is
DistilBERT's (vocab_transform -> GELU -> vocab_layer_norm -> vocab_projector tied to the word embeddings); it is
discarded afterwards. Writes the encoder's weights (DistilBERT parameter names, `distilbert.` prefix) to OUT, which
`train.py --init-encoder OUT` starts the classifier from.

Usage: /usr/bin/python3 pretrain-mlm.py --dim 192 --layers 4 --heads 3 --epochs 2 --out work/mlm-encoder.pt
"""
import argparse
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from train import MODEL_DIR, WORK, DistilBertModel, init_weights, load_ids, pad_batch

import json

PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4
FIRST_ORDINARY = 5


class DistilBertForMaskedLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.distilbert = DistilBertModel(cfg)
        self.vocab_transform = nn.Linear(cfg['dim'], cfg['dim'])
        self.vocab_layer_norm = nn.LayerNorm(cfg['dim'], eps=1e-12)
        self.vocab_bias = nn.Parameter(torch.zeros(cfg['vocab_size']))
        self.apply(lambda m: init_weights(m, cfg['initializer_range']))

    def forward(self, input_ids, attention_mask, positions):
        hidden = self.distilbert(input_ids, attention_mask)  # [B, T, D]
        picked = hidden[positions]  # [N, D]: only the masked positions go through the (large) vocabulary layer
        x = self.vocab_layer_norm(F.gelu(self.vocab_transform(picked)))
        return F.linear(x, self.distilbert.embeddings.word_embeddings.weight, self.vocab_bias)


def mask_batch(seqs, vocab_size, rng):
    """BERT masking of a batch of id lists: returns inputs, attention mask, masked positions (bool) and targets."""
    ids, mask = pad_batch(seqs)
    inputs = ids.clone()
    chosen = torch.zeros_like(ids, dtype=torch.bool)
    for i, s in enumerate(seqs):
        candidates = [j for j, t in enumerate(s) if t >= FIRST_ORDINARY or t == UNK]
        if not candidates:
            continue
        k = max(1, round(0.15 * len(candidates)))
        for j in rng.sample(candidates, k):
            chosen[i, j] = True
            r = rng.random()
            if r < 0.8:
                inputs[i, j] = MASK
            elif r < 0.9:
                inputs[i, j] = rng.randrange(FIRST_ORDINARY, vocab_size)
    return inputs, mask, chosen, ids[chosen]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=4321)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--warmup', type=int, default=300)
    ap.add_argument('--weight-decay', type=float, default=0.01)
    ap.add_argument('--dim', type=int, default=192)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=3)
    ap.add_argument('--dropout', type=float, default=0.1)
    ap.add_argument('--max-positions', type=int, default=64)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--log-every', type=int, default=200)
    ap.add_argument('--out', default=os.path.join(WORK, 'mlm-encoder.pt'))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    with open(os.path.join(MODEL_DIR, 'tokenizer.json'), encoding='utf-8') as f:
        vocab = json.load(f)['model']['vocab']
    vocab_size = max(vocab.values()) + 1
    assert vocab['[PAD]'] == PAD and vocab['[UNK]'] == UNK and vocab['[CLS]'] == CLS and vocab['[SEP]'] == SEP
    assert vocab['[MASK]'] == MASK
    cfg = {
        'vocab_size': vocab_size, 'max_position_embeddings': args.max_positions, 'dim': args.dim,
        'n_layers': args.layers, 'n_heads': args.heads, 'hidden_dim': 4 * args.dim, 'dropout': args.dropout,
        'attention_dropout': args.dropout, 'initializer_range': 0.02, 'pad_token_id': PAD,
    }
    texts = [r['ids'] for r in load_ids('train')]  # the training split only; labels are not read
    held_out = [r['ids'] for r in load_ids('calib')][:2000]  # to report masked-token accuracy, never trained on
    model = DistilBertForMaskedLM(cfg)
    print(f'mlm: {len(texts)} training texts, vocab {vocab_size}, '
          f'{sum(p.numel() for p in model.parameters())} parameters', flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() > 1 and 'embeddings' not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() > 1 and 'embeddings' not in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': args.weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr)
    window = args.batch_size * 50
    steps_per_epoch = sum(math.ceil(min(window, len(texts) - w) / args.batch_size)
                          for w in range(0, len(texts), window))
    total = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / args.warmup, max(0.0, (total - s) / max(1, total - args.warmup))))

    @torch.no_grad()
    def held_out_accuracy():
        model.eval()
        eval_rng = random.Random(7)
        right = n = 0
        for i in range(0, len(held_out), 256):
            inputs, mask, chosen, targets = mask_batch(held_out[i:i + 256], vocab_size, eval_rng)
            logits = model(inputs, mask, chosen)
            right += int((logits.argmax(-1) == targets).sum())
            n += len(targets)
        model.train()
        return right / max(1, n)

    t0 = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = list(range(len(texts)))
        rng.shuffle(order)
        batches = []
        for w in range(0, len(order), window):  # length bucketing, as train.py does
            part = sorted(order[w:w + window], key=lambda i: len(texts[i]))
            batches += [part[j:j + args.batch_size] for j in range(0, len(part), args.batch_size)]
        rng.shuffle(batches)
        run_loss, run_n = 0.0, 0
        for batch in batches:
            inputs, mask, chosen, targets = mask_batch([texts[i] for i in batch], vocab_size, rng)
            if len(targets) == 0:
                continue
            loss = F.cross_entropy(model(inputs, mask, chosen), targets)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            run_loss += loss.item()
            run_n += 1
            if step % args.log_every == 0:
                print(f'  step {step}/{total}: masked-LM loss {run_loss / run_n:.4f}, {time.time() - t0:.0f}s',
                      flush=True)
        acc = held_out_accuracy()
        print(f'epoch {epoch + 1}/{args.epochs}: masked-LM loss {run_loss / max(1, run_n):.4f}, held-out masked-token '
              f'accuracy {acc:.4f}, {time.time() - t0:.0f}s', flush=True)
        encoder = {'distilbert.' + k: v for k, v in model.distilbert.state_dict().items()}
        torch.save(encoder, args.out)
    print(f'mlm: encoder weights -> {args.out} ({time.time() - t0:.0f}s)', flush=True)


if __name__ == '__main__':
    main()
