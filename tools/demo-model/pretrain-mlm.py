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
import json
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from train import (MODEL_DIR, WORK, DistilBertModel, adamw_with_linear_schedule, add_training_arguments,
                   bucketed_batches, encoder_config, init_weights, load_ids, optimizer_step, pad_batch, steps_per_epoch)

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
    add_training_arguments(ap, seed=4321, epochs=2, lr=5e-4, dim=192, layers=4, heads=3)
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
    cfg = encoder_config(args, vocab_size)
    texts = [r['ids'] for r in load_ids('train')]  # the training split only; labels are not read
    held_out = [r['ids'] for r in load_ids('calib')][:2000]  # to report masked-token accuracy, never trained on
    model = DistilBertForMaskedLM(cfg)
    print(f'mlm: {len(texts)} training texts, vocab {vocab_size}, '
          f'{sum(p.numel() for p in model.parameters())} parameters', flush=True)

    total = steps_per_epoch(len(texts), args.batch_size) * args.epochs
    opt, sched = adamw_with_linear_schedule(model, args, total)

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
        batches = bucketed_batches([len(t) for t in texts], args.batch_size, rng)  # as train.py does
        run_loss, run_n = 0.0, 0
        for batch in batches:
            inputs, mask, chosen, targets = mask_batch([texts[i] for i in batch], vocab_size, rng)
            if len(targets) == 0:
                continue
            loss = F.cross_entropy(model(inputs, mask, chosen), targets)
            optimizer_step(model, opt, sched, loss)
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
