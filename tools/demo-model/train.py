#!/usr/bin/env python3
"""Train the demo sentiment classifier and export it to ONNX.

A small DistilBERT-architecture encoder written from scratch (parameter names follow
Hugging Face's DistilBertForSequenceClassification): token + learned position
embeddings -> LayerNorm -> N post-LN transformer blocks (multi-head self-attention,
GELU FFN) -> the final hidden state of [CLS] is the pooled sentence embedding ->
pre_classifier (Linear+ReLU) -> classifier -> 2 logits (0 NEGATIVE, 1 POSITIVE).

Input ids come from tools/demo-model/work/*.ids.jsonl, written by pretokenize.js with
the `tokenizers` npm package from models/demo-sentiment/tokenizer.json; the splits (train, calib, test) were
made by prepare-data.py before the tokenizer was trained. After training, one temperature T is fitted on the
calib split by negative log-likelihood and baked into the exported graph (logits = classifier output / T),
so the served probabilities are calibrated. SST-2 dev is only evaluated and reported, never used to choose.

Outputs:
  models/demo-sentiment/model.onnx             inputs input_ids, attention_mask (int64 [batch, seq])
                                               outputs logits [batch, 2], sentence_embedding [batch, dim]
  models/demo-sentiment/config.json            DistilBERT-shaped config
  models/demo-sentiment/tokenizer_config.json
  models/demo-sentiment/special_tokens_map.json
  models/demo-sentiment/eval_results.json      measured accuracies, ECE, temperature and training settings
  models/demo-sentiment/validation.jsonl       held-out {"text","label"} for the lifecycle activation gate
  models/demo-sentiment/drift_reference.txt    held-out texts (test split, all sources), one per line
  models/demo-sentiment/drift_projection_fit.txt  disjoint held-out texts (calib split) to fit a drift projection
  test/fixtures/demo-sentiment-pytorch.json    PyTorch reference logits for 100 held-out sentences
  tools/demo-model/work/model.pt               PyTorch weights (git-ignored)
  tools/demo-model/work/epochN.pt              the weights at the end of each epoch, for average-weights.py

Run with Debian's interpreter (it has python3-torch): /usr/bin/python3 train.py
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
WORK = os.path.join(HERE, 'work')
MODEL_DIR = os.path.join(ROOT, 'models', 'demo-sentiment')
FIXTURE = os.path.join(ROOT, 'test', 'fixtures', 'demo-sentiment-pytorch.json')
ID2LABEL = {0: 'NEGATIVE', 1: 'POSITIVE'}
PROBES = [
    ('I absolutely loved this movie! The acting was superb.', 1),
    ('What a waste of time. The plot made no sense at all.', 0),
]


# ------------------------------------------------------------------ model ----
class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg['vocab_size'], cfg['dim'], padding_idx=cfg['pad_token_id'])
        self.position_embeddings = nn.Embedding(cfg['max_position_embeddings'], cfg['dim'])
        self.LayerNorm = nn.LayerNorm(cfg['dim'], eps=1e-12)
        self.dropout = nn.Dropout(cfg['dropout'])
        self.register_buffer('position_ids', torch.arange(cfg['max_position_embeddings']).unsqueeze(0),
                             persistent=False)

    def forward(self, input_ids):
        seq_len = input_ids.size(1)
        pos = self.position_ids[:, :seq_len]
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos)
        return self.dropout(self.LayerNorm(x))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_heads = cfg['n_heads']
        self.dim = cfg['dim']
        self.head_dim = self.dim // self.n_heads
        self.q_lin = nn.Linear(self.dim, self.dim)
        self.k_lin = nn.Linear(self.dim, self.dim)
        self.v_lin = nn.Linear(self.dim, self.dim)
        self.out_lin = nn.Linear(self.dim, self.dim)
        self.dropout = nn.Dropout(cfg['attention_dropout'])

    def forward(self, x, key_is_pad):
        # x: [B, T, D]; key_is_pad: [B, 1, 1, T] bool, True where the key position is padding
        b, t, _ = x.shape

        def split(h):
            return h.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)  # [B, H, T, hd]

        q = split(self.q_lin(x)) / math.sqrt(self.head_dim)
        k = split(self.k_lin(x))
        v = split(self.v_lin(x))
        scores = torch.matmul(q, k.transpose(2, 3))  # [B, H, T, T]
        # Padded keys get the most negative float32, so exp() underflows to exactly 0 and a
        # sentence's result does not depend on how much padding the batch adds.
        scores = scores.masked_fill(key_is_pad, torch.finfo(scores.dtype).min)
        weights = self.dropout(F.softmax(scores, dim=-1))
        ctx = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, self.dim)
        return self.out_lin(ctx)


class FFN(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.lin1 = nn.Linear(cfg['dim'], cfg['hidden_dim'])
        self.lin2 = nn.Linear(cfg['hidden_dim'], cfg['dim'])
        self.dropout = nn.Dropout(cfg['dropout'])

    def forward(self, x):
        return self.dropout(self.lin2(F.gelu(self.lin1(x))))


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = MultiHeadSelfAttention(cfg)
        self.sa_layer_norm = nn.LayerNorm(cfg['dim'], eps=1e-12)
        self.ffn = FFN(cfg)
        self.output_layer_norm = nn.LayerNorm(cfg['dim'], eps=1e-12)
        self.dropout = nn.Dropout(cfg['dropout'])

    def forward(self, x, key_is_pad):
        x = self.sa_layer_norm(x + self.dropout(self.attention(x, key_is_pad)))
        return self.output_layer_norm(x + self.ffn(x))


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg['n_layers'])])

    def forward(self, x, key_is_pad):
        for block in self.layer:
            x = block(x, key_is_pad)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.transformer = Transformer(cfg)

    def forward(self, input_ids, attention_mask):
        key_is_pad = (attention_mask == 0).unsqueeze(1).unsqueeze(2)  # [B, 1, 1, T]
        return self.transformer(self.embeddings(input_ids), key_is_pad)


class DistilBertForSequenceClassification(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.distilbert = DistilBertModel(cfg)
        self.pre_classifier = nn.Linear(cfg['dim'], cfg['dim'])
        self.classifier = nn.Linear(cfg['dim'], cfg['num_labels'])
        self.dropout = nn.Dropout(cfg['seq_classif_dropout'])
        self.apply(lambda m: init_weights(m, cfg['initializer_range']))

    def forward(self, input_ids, attention_mask):
        hidden = self.distilbert(input_ids, attention_mask)
        sentence_embedding = hidden[:, 0]  # final hidden state of [CLS]
        x = self.dropout(F.relu(self.pre_classifier(sentence_embedding)))
        return self.classifier(x), sentence_embedding


def init_weights(m, std):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=std)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Embedding):
        nn.init.normal_(m.weight, std=std)
        if m.padding_idx is not None:
            with torch.no_grad():
                m.weight[m.padding_idx].zero_()
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


# ------------------------------------------------------------------- data ----
def load_ids(name):
    path = os.path.join(WORK, name + '.ids.jsonl')
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def pad_batch(seqs, pad_id=0):
    t = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), t), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), t), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, :len(s)] = 1
    return ids, mask


@torch.no_grad()
def predict_logits(model, rows, batch_size=256):
    model.eval()
    out = []
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]['ids']))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        ids, mask = pad_batch([rows[j]['ids'] for j in idx])
        logits, _ = model(ids, mask)
        out += list(zip(idx, logits))
    out.sort(key=lambda p: p[0])
    return torch.stack([l for _, l in out])


def accuracy(logits, rows):
    return float((logits.argmax(-1) == torch.tensor([r['label'] for r in rows])).float().mean())


def ece(logits, rows, bins=10):
    """Expected calibration error: |accuracy - confidence| per equal-width confidence bin, weighted by count."""
    probs = F.softmax(logits, -1)
    conf, pred = probs.max(-1)
    correct = (pred == torch.tensor([r['label'] for r in rows])).float()
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            total += float(sel.float().sum()) / len(rows) * abs(float(correct[sel].mean()) - float(conf[sel].mean()))
    return total


def evaluate(model, rows):
    return accuracy(predict_logits(model, rows), rows)


def fit_temperature(logits, rows):
    """One scalar T > 0 minimising the NLL of softmax(logits / T) (Guo et al. 2017)."""
    labels = torch.tensor([r['label'] for r in rows])
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss
    opt.step(closure)
    return float(log_t.exp())


class Calibrated(nn.Module):
    """The exported graph: the classifier's logits divided by the fitted temperature."""

    def __init__(self, model, temperature):
        super().__init__()
        self.model = model
        self.register_buffer('inv_temperature', torch.tensor(1.0 / temperature))

    def forward(self, input_ids, attention_mask):
        logits, sentence_embedding = self.model(input_ids, attention_mask)
        return logits * self.inv_temperature, sentence_embedding


def pick_fixture_rows(test_rows, n=100):
    """50 per label, evenly spread over token length so short phrases and long reviews are both covered."""
    chosen = []
    for label in (1, 0):
        idx = sorted((i for i, r in enumerate(test_rows) if r['label'] == label),
                     key=lambda i: (len(test_rows[i]['ids']), i))
        k = n // 2
        chosen += [idx[round(j * (len(idx) - 1) / (k - 1))] for j in range(k)]
    chosen.sort()
    return [{'text': test_rows[i]['text'], 'label': ID2LABEL[test_rows[i]['label']], 'label_id': test_rows[i]['label'],
             'source': test_rows[i]['source'], 'test_index': i, 'input_ids': test_rows[i]['ids']} for i in chosen]


def spread_sample(rows, n, seed):
    """n rows drawn evenly across sources (and labels within a source), with a fixed seed."""
    rng = random.Random(seed)
    groups = {}
    for r in rows:
        groups.setdefault((r['source'], r['label']), []).append(r)
    for g in groups.values():
        rng.shuffle(g)
    keys = sorted(groups)
    out = []
    while len(out) < n and any(groups[k] for k in keys):
        for k in keys:
            if groups[k] and len(out) < n:
                out.append(groups[k].pop())
    rng.shuffle(out)
    return out


def per_source(logits, rows):
    out = {}
    for source in sorted({r['source'] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r['source'] == source]
        sub = [rows[i] for i in idx]
        out[source] = {'n': len(idx), 'accuracy': round(accuracy(logits[idx], sub), 4),
                       'ece': round(ece(logits[idx], sub), 4)}
    return out


# --------------------------------------------------------------- training ----
# Shared with pretrain-mlm.py, so that pretraining and classification train the same encoder the same way.
def add_training_arguments(ap, *, seed, epochs, lr, dim, layers, heads):
    """The options both trainers take; the defaults that differ between them are given by the caller."""
    ap.add_argument('--seed', type=int, default=seed)
    ap.add_argument('--epochs', type=int, default=epochs)
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--lr', type=float, default=lr)
    ap.add_argument('--warmup', type=int, default=300)
    ap.add_argument('--weight-decay', type=float, default=0.01)
    ap.add_argument('--dim', type=int, default=dim)
    ap.add_argument('--layers', type=int, default=layers)
    ap.add_argument('--heads', type=int, default=heads)
    ap.add_argument('--dropout', type=float, default=0.1,
                    help='dropout of the embeddings, attention weights and blocks (the classifier head keeps 0.2)')
    ap.add_argument('--max-positions', type=int, default=64,
                    help='position embeddings = the longest input served (model_max_length); only trained ones')
    ap.add_argument('--threads', type=int, default=1,
                    help='torch threads; on the shared 2-core machine 1 thread was 4x faster than 2 (less contention)')
    ap.add_argument('--log-every', type=int, default=200, help='print the running loss every N steps')


def encoder_config(args, vocab_size):
    """The encoder's DistilBERT-style configuration from add_training_arguments' options."""
    return {
        'vocab_size': vocab_size, 'max_position_embeddings': args.max_positions, 'dim': args.dim,
        'n_layers': args.layers, 'n_heads': args.heads, 'hidden_dim': 4 * args.dim, 'dropout': args.dropout,
        'attention_dropout': args.dropout, 'initializer_range': 0.02, 'pad_token_id': 0,
    }


def bucket_window(batch_size):
    """Length bucketing sorts windows of 50 batches by length."""
    return batch_size * 50


def steps_per_epoch(n_rows, batch_size):
    window = bucket_window(batch_size)
    return sum(math.ceil(min(window, n_rows - w) / batch_size) for w in range(0, n_rows, window))


def bucketed_batches(lengths, batch_size, rng):
    """One epoch's batches of row indices: shuffle, sort windows of 50 batches by length, shuffle the batches."""
    window = bucket_window(batch_size)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    for w in range(0, len(order), window):
        part = sorted(order[w:w + window], key=lambda i: lengths[i])
        batches += [part[j:j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def adamw_with_linear_schedule(model, args, total_steps):
    """AdamW (no weight decay on embeddings, biases and LayerNorms), linear warm-up then linear decay to 0."""
    decay = [p for n, p in model.named_parameters() if p.dim() > 1 and 'embeddings' not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() > 1 and 'embeddings' not in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': args.weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr)
    total = max(1, total_steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / args.warmup, max(0.0, (total - s) / max(1, total - args.warmup))))
    return opt, sched


def optimizer_step(model, opt, sched, loss):
    """One update: gradients of `loss`, clipped to norm 1.0, then the optimiser and the schedule."""
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()


# ------------------------------------------------------------------- main ----
def main():
    ap = argparse.ArgumentParser()
    add_training_arguments(ap, seed=1234, epochs=1, lr=1e-3, dim=128, layers=3, heads=4)
    ap.add_argument('--max-length', type=int, default=64, help='training sequence length (pretokenize.js truncates)')
    ap.add_argument('--limit', type=int, default=0, help='train on the first N rows only (quick candidate runs)')
    ap.add_argument('--candidate', default='',
                    help='name a candidate run: report and weights go to work/candidates/, nothing is exported')
    ap.add_argument('--load', default='',
                    help='start from these weights (work/model.pt or a candidate\'s .pt), then train --epochs more '
                         '(0: only calibrate and export)')
    ap.add_argument('--init-encoder', default='',
                    help='start the encoder from these weights (pretrain-mlm.py --out), the classifier head from '
                         'random ones')
    ap.add_argument('--opset', type=int, default=14)
    ap.add_argument('--max-steps', type=int, default=0,
                    help='stop after N optimiser steps, print the seconds per step and exit without evaluating '
                         'or saving: for timing a size or a thread count before committing to a run')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    with open(os.path.join(MODEL_DIR, 'tokenizer.json'), encoding='utf-8') as f:
        tok = json.load(f)
    vocab = tok['model']['vocab']
    vocab_size = max(vocab.values()) + 1
    assert vocab['[PAD]'] == 0 and len(vocab) == vocab_size

    cfg = dict(encoder_config(args, vocab_size), seq_classif_dropout=0.2, num_labels=2)
    train_rows = load_ids('train')
    if args.limit:
        train_rows = train_rows[:args.limit]
    calib_rows = load_ids('calib')
    test_rows = load_ids('test')
    sst2_rows = load_ids('sst2-dev')
    for r in train_rows + calib_rows + test_rows:
        assert len(r['ids']) <= min(args.max_length, args.max_positions)

    model = DistilBertForSequenceClassification(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'train: {len(train_rows)} train / {len(calib_rows)} calib / {len(test_rows)} test, vocab {vocab_size}, '
          f'{n_params} parameters', flush=True)

    steps = steps_per_epoch(len(train_rows), args.batch_size)
    opt, sched = adamw_with_linear_schedule(model, args, steps * args.epochs)
    total = max(1, steps * args.epochs)

    t0 = time.time()
    step = 0
    history = []
    if args.load:
        model.load_state_dict(torch.load(args.load))
        print(f'train: starting from {args.load}', flush=True)
    elif args.init_encoder:
        missing, unexpected = model.load_state_dict(torch.load(args.init_encoder), strict=False)
        if unexpected or any(not k.startswith(('pre_classifier.', 'classifier.')) for k in missing):
            sys.exit(f'train: {args.init_encoder} does not fit this encoder (missing {missing}, unexpected {unexpected})')
        print(f'train: encoder from {args.init_encoder} (masked-LM pretraining), new classifier head', flush=True)
    for epoch in range(args.epochs):
        model.train()
        batches = bucketed_batches([len(r['ids']) for r in train_rows], args.batch_size, random)
        run_loss, run_n = 0.0, 0
        for batch in batches:
            chunk = [train_rows[i] for i in batch]
            ids, mask = pad_batch([r['ids'] for r in chunk])
            labels = torch.tensor([r['label'] for r in chunk])
            model.train()
            logits, _ = model(ids, mask)
            loss = F.cross_entropy(logits, labels)
            optimizer_step(model, opt, sched, loss)
            step += 1
            run_loss += loss.item() * len(chunk)
            run_n += len(chunk)
            if step % args.log_every == 0:
                print(f'  step {step}/{total}: loss {run_loss / run_n:.4f}, {time.time() - t0:.0f}s', flush=True)
            if args.max_steps and step >= args.max_steps:
                print(f'timing: {step} steps in {time.time() - t0:.1f}s = {(time.time() - t0) / step:.3f} s/step '
                      f'({n_params} parameters, {args.threads} threads; an epoch is {steps} steps)',
                      flush=True)
                return
        # Every epoch's end is kept (work/epochN.pt, or work/candidates/NAME-epochN.pt) so the last ones of ONE
        # schedule can be averaged afterwards (average-weights.py) without training again.
        epoch_path = os.path.join(WORK, 'candidates', f'{args.candidate}-epoch{epoch + 1}.pt') if args.candidate \
            else os.path.join(WORK, f'epoch{epoch + 1}.pt')
        os.makedirs(os.path.dirname(epoch_path), exist_ok=True)
        torch.save(model.state_dict(), epoch_path)
        test_acc = evaluate(model, test_rows)
        sst2_acc = evaluate(model, sst2_rows) if sst2_rows else None  # reported only, never used to choose
        history.append({'epoch': epoch + 1, 'train_loss': run_loss / run_n, 'test_accuracy': test_acc,
                        'sst2_dev_accuracy': sst2_acc, 'seconds': round(time.time() - t0)})
        print(f'epoch {epoch + 1}/{args.epochs}: train loss {run_loss / run_n:.4f}, test acc {test_acc:.4f}, '
              f'SST-2 dev acc {sst2_acc}, {time.time() - t0:.0f}s', flush=True)
    train_seconds = time.time() - t0
    model.eval()

    # ------------------------------------------------ temperature scaling ----
    temperature = fit_temperature(predict_logits(model, calib_rows), calib_rows)
    calibrated = Calibrated(model, temperature).eval()
    test_logits = predict_logits(calibrated, test_rows)
    raw_sst2 = predict_logits(model, sst2_rows) if sst2_rows else None
    sst2_logits = raw_sst2 / temperature if sst2_rows else None
    report = {
        'temperature': round(temperature, 4),
        'test_accuracy': round(accuracy(test_logits, test_rows), 4),
        'test_ece': round(ece(test_logits, test_rows), 4),
        'test_per_source': per_source(test_logits, test_rows),
        'sst2_dev_accuracy': round(accuracy(sst2_logits, sst2_rows), 4) if sst2_rows else None,
        'sst2_dev_ece': round(ece(sst2_logits, sst2_rows), 4) if sst2_rows else None,
        'sst2_dev_ece_uncalibrated': round(ece(raw_sst2, sst2_rows), 4) if sst2_rows else None,
        'sst2_dev_size': len(sst2_rows or []),
    }
    print(f'temperature {temperature:.3f}; test acc {report["test_accuracy"]}, ECE {report["test_ece"]}; SST-2 dev '
          f'acc {report["sst2_dev_accuracy"]}, ECE {report["sst2_dev_ece"]} (uncalibrated '
          f'{report["sst2_dev_ece_uncalibrated"]}); training took {train_seconds:.0f}s', flush=True)
    for source, r in report['test_per_source'].items():
        print(f'  {source:20s} n={r["n"]:5d} acc {r["accuracy"]:.4f} ECE {r["ece"]:.4f}', flush=True)
    settings = {k.replace('_', '-'): v for k, v in vars(args).items()}
    if args.candidate:
        os.makedirs(os.path.join(WORK, 'candidates'), exist_ok=True)
        with open(os.path.join(WORK, 'candidates', args.candidate + '.json'), 'w', encoding='utf-8') as f:
            json.dump(dict(report, parameters=n_params, train_seconds=round(train_seconds), history=history,
                           settings=settings), f, indent=2)
        torch.save(model.state_dict(), os.path.join(WORK, 'candidates', args.candidate + '.pt'))
        return
    torch.save(model.state_dict(), os.path.join(WORK, 'model.pt'))

    # ---------------------------------------------------- PyTorch fixture ----
    fixture_rows = pick_fixture_rows(test_rows)
    probe_ids = load_ids('probes')
    with torch.no_grad():
        def run_alone(ids):
            x = torch.tensor([ids], dtype=torch.long)
            logits, emb = calibrated(x, torch.ones_like(x))
            return logits[0], emb[0]

        max_batch_diff = 0.0
        ids, mask = pad_batch([r['input_ids'] for r in fixture_rows])
        b_logits, b_emb = calibrated(ids, mask)
        for i, r in enumerate(fixture_rows):
            logits, emb = run_alone(r['input_ids'])
            max_batch_diff = max(max_batch_diff, float((logits - b_logits[i]).abs().max()),
                                 float((emb - b_emb[i]).abs().max()))
            r['logits'] = [float(v) for v in logits]
            r['predicted'] = ID2LABEL[int(logits.argmax())]
            if i < 10:
                r['sentence_embedding'] = [float(v) for v in emb]
        print(f'PyTorch alone vs padded batch: max abs diff {max_batch_diff:.3g}', flush=True)
        if max_batch_diff > 1e-5:
            sys.exit(f'padding changes results (max abs diff {max_batch_diff})')
        probes = []
        for (text, gold), row in zip(PROBES, probe_ids):
            assert row['text'] == text
            logits, emb = run_alone(row['ids'])
            pred = ID2LABEL[int(logits.argmax())]
            print(f'probe {text!r}: {pred} logits {[round(float(v), 4) for v in logits]}', flush=True)
            probes.append({'text': text, 'label': ID2LABEL[gold], 'label_id': gold, 'input_ids': row['ids'],
                           'logits': [float(v) for v in logits], 'predicted': pred,
                           'sentence_embedding': [float(v) for v in emb]})
    fixture_acc = sum(r['predicted'] == r['label'] for r in fixture_rows) / len(fixture_rows)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, 'w', encoding='utf-8') as f:
        json.dump({
            'description': 'PyTorch reference outputs of models/demo-sentiment for held-out texts of the real training '
                           'sources (test split of tools/demo-model/prepare-data.py, never trained on). logits are the '
                           'exported, temperature-scaled logits; logits/sentence_embedding were computed one text at a '
                           'time (no padding) in float32; input_ids are exactly what PyTorch was fed (tokenizer.json via '
                           'the tokenizers npm package, [CLS] ... [SEP], truncated to the model\'s max length, '
                           'attention_mask all ones). sentence_embedding is given for the first 10 texts and the probes.',
            'model': 'models/demo-sentiment/model.onnx',
            'generated_by': 'tools/demo-model/train.py',
            'id2label': {str(k): v for k, v in ID2LABEL.items()},
            'temperature': temperature,
            'tolerance': {'logits': 1e-4, 'sentence_embedding': 1e-4},
            'accuracy': fixture_acc,
            'sentences': fixture_rows,
            'probes': probes,
        }, f, indent=1)
        f.write('\n')
    print(f'fixture: {len(fixture_rows)} texts ({fixture_acc:.2%} correct) -> {os.path.relpath(FIXTURE, ROOT)}')

    # ------------------------------------- held-out files shipped with the model ----
    with open(os.path.join(MODEL_DIR, 'validation.jsonl'), 'w', encoding='utf-8') as f:
        for r in spread_sample(test_rows, 400, args.seed + 1):
            f.write(json.dumps({'text': r['text'], 'label': ID2LABEL[r['label']]}, ensure_ascii=False) + '\n')
    for name, rows, seed in (('drift_reference.txt', test_rows, args.seed + 2),
                             ('drift_projection_fit.txt', calib_rows, args.seed + 3)):
        with open(os.path.join(MODEL_DIR, name), 'w', encoding='utf-8') as f:
            for r in spread_sample(rows, 1500, seed):
                f.write(' '.join(r['text'].split()) + '\n')

    # ---------------------------------------------------------- ONNX export ----
    onnx_path = os.path.join(MODEL_DIR, 'model.onnx')
    dummy_ids, dummy_mask = pad_batch([[2, 10, 11, 12, 3], [2, 13, 3]])
    torch.onnx.export(
        calibrated, (dummy_ids, dummy_mask), onnx_path,
        input_names=['input_ids', 'attention_mask'],
        output_names=['logits', 'sentence_embedding'],
        dynamic_axes={'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
                      'logits': {0: 'batch'}, 'sentence_embedding': {0: 'batch'}},
        opset_version=args.opset, do_constant_folding=True)
    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    print(f'onnx: opset {args.opset}, {os.path.getsize(onnx_path)} bytes -> {os.path.relpath(onnx_path, ROOT)}')

    # ------------------------------------------------------ config files ----
    config = {
        '_name_or_path': 'demo-sentiment',
        'activation': 'gelu',
        'architectures': ['DistilBertForSequenceClassification'],
        'attention_dropout': cfg['attention_dropout'],
        'dim': cfg['dim'],
        'dropout': cfg['dropout'],
        'hidden_dim': cfg['hidden_dim'],
        'id2label': {str(k): v for k, v in ID2LABEL.items()},
        'initializer_range': cfg['initializer_range'],
        'label2id': {v: k for k, v in ID2LABEL.items()},
        'max_position_embeddings': cfg['max_position_embeddings'],
        'model_type': 'distilbert',
        'n_heads': cfg['n_heads'],
        'n_layers': cfg['n_layers'],
        'pad_token_id': cfg['pad_token_id'],
        'problem_type': 'single_label_classification',
        'qa_dropout': 0.1,
        'seq_classif_dropout': cfg['seq_classif_dropout'],
        'sinusoidal_pos_embds': False,
        'tie_weights_': True,
        'torch_dtype': 'float32',
        'vocab_size': cfg['vocab_size'],
        'onnx': {
            'file': 'model.onnx', 'opset': args.opset,
            'inputs': {'input_ids': ['batch', 'sequence'], 'attention_mask': ['batch', 'sequence']},
            'outputs': {'logits': ['batch', cfg['num_labels']], 'sentence_embedding': ['batch', cfg['dim']]},
            'sentence_embedding': 'final hidden state of the [CLS] token (input of pre_classifier)',
            'trained_max_length': args.max_length,
            'temperature': temperature,
            'calibration': 'logits are the classifier output divided by temperature (fitted on held-out data)',
        },
    }
    with open(os.path.join(MODEL_DIR, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    specials = {'unk_token': '[UNK]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'cls_token': '[CLS]',
                'mask_token': '[MASK]'}
    tok_config = dict({'tokenizer_class': 'BertTokenizerFast', 'do_lower_case': True, 'strip_accents': None,
                       'tokenize_chinese_chars': True, 'model_max_length': cfg['max_position_embeddings'],
                       'padding_side': 'right', 'truncation_side': 'right',
                       'clean_up_tokenization_spaces': True}, **specials)
    with open(os.path.join(MODEL_DIR, 'tokenizer_config.json'), 'w', encoding='utf-8') as f:
        json.dump(tok_config, f, indent=2)
        f.write('\n')
    with open(os.path.join(MODEL_DIR, 'special_tokens_map.json'), 'w', encoding='utf-8') as f:
        json.dump(specials, f, indent=2)
        f.write('\n')
    results = dict(report, **{
        'train_size': len(train_rows), 'calib_size': len(calib_rows), 'test_size': len(test_rows),
        'train_seconds': round(train_seconds, 1), 'parameters': n_params,
        'history': history,
        'settings': settings,
        'torch_version': torch.__version__, 'threads': torch.get_num_threads(),
    })
    with open(os.path.join(MODEL_DIR, 'eval_results.json'), 'w', encoding='utf-8') as f:
        json.dump(results, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main()
