#!/usr/bin/env python3
"""Reads the labelled sentiment data (default ../shared/realdata/train, see its PROVENANCE.md), cleans and
deduplicates it, and splits it into training and held-out sets BEFORE any vocabulary or training step.

Every source is split with its own seeded RNG, so adding a source does not reshuffle another's split.
Per source, the held-out part is cut in two disjoint halves:
  calib  - fits the temperature (train.py) and feeds drift_projection_fit.txt;
  test   - the per-source report (evaluate.js), validation.jsonl and drift_reference.txt.
Any training text whose normalised form equals a held-out text (of any source) is dropped, and GLUE SST-2
phrases of 5+ words that occur inside a held-out SST sentence are held out too (source `sst_phrases`), so no
held-out sentence is seen in pieces during training.

Writes (git-ignored) tools/demo-model/work/:
  train.tsv    text, label (0 NEGATIVE / 1 POSITIVE), source
  calib.tsv    same columns
  test.tsv     same columns
  data_stats.json  counts per source and split

Usage: /usr/bin/python3 prepare-data.py [DATA_DIR]
"""
import csv
import io
import json
import os
import random
import re
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
WORK = os.path.join(HERE, 'work')
SEED = 20261130
# The two sentences the README's quickstart shows; never trained on.
PROBES = ['I absolutely loved this movie! The acting was superb.',
          'What a waste of time. The plot made no sense at all.']
# How many texts per source are held out (half calib, half test).
HELDOUT = {'sst_sentences': 1000, 'cr': 400, 'mpqa': 600, 'uci': 300, 'reviews_multidomain': 800,
           'tweets': 1600, 'imdb': 1000}
# IMDB reviews kept for training: they are long, so only their opening (train.py truncates to the training
# length) is used, and a subset keeps the epoch affordable on a shared 2-core machine.
IMDB_TRAIN = 8000

csv.field_size_limit(10 ** 8)


def key(text):
    """Normalised form for duplicate detection: lower case, letters and digits only."""
    return re.sub(r'[^a-z0-9]+', '', text.lower())


def clean(text):
    text = text.replace('<br />', ' ').replace('<br/>', ' ').replace('<br>', ' ')
    return re.sub(r'\s+', ' ', text).strip()


def read_lines(path):
    with open(path, encoding='utf-8', errors='strict') as f:
        return f.read().split('\n')


def load_sst_phrases(d):
    rows = []
    lines = read_lines(os.path.join(d, 'sst2_glue', 'train_full.tsv'))
    assert lines[0] == 'sentence\tlabel', lines[0]
    for line in lines[1:]:
        if line.strip():
            text, label = line.rsplit('\t', 1)
            rows.append((clean(text), int(label)))
    return rows


def load_sst_sentences(d):
    rows = []
    for line in read_lines(os.path.join(d, 'sst2_sentences', 'stsa.binary.train')):
        if line.strip():
            label, text = line.split(' ', 1)
            rows.append((clean(text), int(label)))
    return rows


def load_pos_neg(d, sub, name):
    rows = []
    for suffix, label in (('neg', 0), ('pos', 1)):
        for line in read_lines(os.path.join(d, sub, f'{name}.{suffix}')):
            if line.strip():
                rows.append((clean(line), label))
    return rows


def load_uci(d):
    rows = []
    for name in ('amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'):
        for line in read_lines(os.path.join(d, 'uci_sentiment_labelled', name)):
            if line.strip():
                text, label = line.rsplit('\t', 1)
                rows.append((clean(text), int(label)))
    return rows


def load_multidomain(d):
    rows = []
    base = os.path.join(d, 'multidomain_reviews')
    for domain in sorted(os.listdir(base)):
        with open(os.path.join(base, domain, 'test-labeled.tsv'), encoding='utf-8', newline='') as f:
            reader = csv.reader(f, delimiter='\t')
            header = next(reader)
            assert header == ['sentence', 'label'], header
            for rec in reader:
                if len(rec) == 2 and rec[0].strip():
                    rows.append((clean(rec[0]), int(rec[1])))
    return rows


def unescape(text):
    """The SemEval files carry JSON-style \\uXXXX escapes (emoji as surrogate pairs)."""
    text = re.sub(r'\\u([0-9a-fA-F]{4})', lambda m: chr(int(m.group(1), 16)), text)
    return text.encode('utf-16', 'surrogatepass').decode('utf-16', 'replace')


def anonymise(text):
    return re.sub(r'@\w+', '@user', text)


def load_tweets(d):
    """SemEval 2013-2016 positive/negative (deduplicated by id), then TweetEval validation; neutral dropped."""
    base = os.path.join(d, 'semeval2017_task4A_traindata')
    by_id = {}
    for name in sorted(os.listdir(base)):
        if not (name.endswith('.txt') or name.endswith('.tsv')) or name.startswith('README'):
            continue
        lines = read_lines(os.path.join(base, name))
        records = []
        for line in lines:
            if not line.strip():
                continue
            # a record starts with an id (digits, or `null` in the LiveJournal file); others continue the last
            if re.match(r'^(\d+|null)\t', line) or not records:
                records.append(line)
            else:
                records[-1] += ' ' + line
        for rec in records:
            cols = rec.split('\t')
            if name.startswith('livejournal'):
                tid, label, text = cols[1], cols[2], '\t'.join(cols[3:])
            else:
                tid, label, text = cols[0], cols[1], '\t'.join(cols[2:])
            text = text.strip()
            if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
                text = text[1:-1]
            text = unescape(text)
            if label not in ('positive', 'negative'):
                continue
            uid = f'{name}:{tid}' if tid == 'null' else tid
            by_id.setdefault(uid, (clean(anonymise(text)), 1 if label == 'positive' else 0))
    rows = list(by_id.values())
    te = os.path.join(d, 'tweeteval_sentiment')
    texts = read_lines(os.path.join(te, 'val_text.txt'))
    labels = read_lines(os.path.join(te, 'val_labels.txt'))
    for text, label in zip(texts, labels):
        if label.strip() in ('0', '2'):
            rows.append((clean(anonymise(text)), 1 if label.strip() == '2' else 0))
    return rows


def load_imdb(d):
    rows = []
    # read in archive order (seeking backwards in a gzip stream re-decompresses it), then sort by name
    with tarfile.open(os.path.join(d, 'imdb_aclImdb', 'aclImdb_train.tar.gz'), 'r:gz') as tar:
        for m in tar:
            parts = m.name.split('/')
            if not m.isfile() or not m.name.endswith('.txt') or len(parts) < 4 or parts[-2] not in ('pos', 'neg'):
                continue
            text = tar.extractfile(m).read().decode('utf-8')
            rows.append((m.name, clean(text), 1 if parts[-2] == 'pos' else 0))
    rows.sort()
    return [(text, label) for _, text, label in rows]
    return rows


def dedupe(rows):
    """Drops empty texts, exact duplicates, and texts seen with both labels (contradictory annotations)."""
    labels = {}
    for text, label in rows:
        k = key(text)
        if k:
            labels.setdefault(k, set()).add(label)
    seen = set()
    out = []
    for text, label in rows:
        k = key(text)
        if k and k not in seen and len(labels[k]) == 1:
            seen.add(k)
            out.append((text, label))
    return out


def split_balanced(rows, n, rng):
    """Holds out n rows, half per label where possible; returns (heldout, rest)."""
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    want = {0: n // 2, 1: n - n // 2}
    held, rest = [], []
    for i in idx:
        label = rows[i][1]
        if want[label] > 0:
            want[label] -= 1
            held.append(rows[i])
        else:
            rest.append(rows[i])
    return held, rest


def main():
    data_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'realdata', 'train'))
    if not os.path.isfile(os.path.join(data_dir, 'PROVENANCE.md')):
        sys.exit(f'prepare-data: {data_dir} does not look like the training data folder (no PROVENANCE.md)')
    os.makedirs(WORK, exist_ok=True)
    loaders = [
        ('sst_sentences', load_sst_sentences), ('cr', lambda d: load_pos_neg(d, 'cr', 'custrev')),
        ('mpqa', lambda d: load_pos_neg(d, 'mpqa', 'mpqa')), ('uci', load_uci),
        ('reviews_multidomain', load_multidomain), ('tweets', load_tweets), ('imdb', load_imdb),
    ]
    probe_keys = {key(p) for p in PROBES}
    train, calib, test = [], [], []
    stats = {}
    for source, loader in loaders:
        rows = [r for r in dedupe(loader(data_dir)) if key(r[0]) not in probe_keys]
        rng = random.Random(f'{SEED}:{source}')
        held, rest = split_balanced(rows, HELDOUT[source], rng)
        half = len(held) // 2
        calib += [(t, l, source) for t, l in held[:half]]
        test += [(t, l, source) for t, l in held[half:]]
        if source == 'imdb':
            rest = rest[:IMDB_TRAIN]
        train += [(t, l, source) for t, l in rest]
        stats[source] = {'loaded': len(rows), 'calib': half, 'test': len(held) - half}

    # GLUE SST-2 phrases: those inside a held-out SST sentence (5+ words) are held out with it, in the same half
    phrases = dedupe(load_sst_phrases(data_dir))
    held_sentences = {'calib': [t for t, _, s in calib if s == 'sst_sentences'],
                      'test': [t for t, _, s in test if s == 'sst_sentences']}
    spaced = {k: ['  ' + ' '.join(t.split()) + '  ' for t in v] for k, v in held_sentences.items()}
    joined = {k: '\n'.join(v) for k, v in spaced.items()}
    phrase_train, phrase_held = [], {'calib': [], 'test': []}
    for text, label in phrases:
        words = text.split()
        if key(text) in probe_keys:
            continue
        needle = ' ' + ' '.join(words) + ' '
        where = None
        if len(words) >= 5:
            where = next((k for k in ('calib', 'test') if needle in joined[k]), None)
        if where:
            phrase_held[where].append((text, label, 'sst_phrases'))
        else:
            phrase_train.append((text, label, 'sst_phrases'))
    calib += phrase_held['calib']
    test += phrase_held['test']
    stats['sst_phrases'] = {'loaded': len(phrases), 'calib': len(phrase_held['calib']), 'test': len(phrase_held['test'])}

    # nothing held out (by any source) may be trained on, and a text is trained on once
    held_keys = {key(t) for t, _, _ in calib + test}
    seen = set()
    final_train = []
    for text, label, source in phrase_train + train:
        k = key(text)
        if k in held_keys or k in seen:
            continue
        seen.add(k)
        final_train.append((text, label, source))
    rng = random.Random(SEED)
    rng.shuffle(final_train)
    for source in stats:
        stats[source]['train'] = sum(1 for _, _, s in final_train if s == source)

    def write(name, rows):
        with open(os.path.join(WORK, name), 'w', encoding='utf-8') as f:
            f.write('text\tlabel\tsource\n')
            for text, label, source in rows:
                f.write(f"{text.replace(chr(9), ' ')}\t{label}\t{source}\n")

    write('train.tsv', final_train)
    write('calib.tsv', calib)
    write('test.tsv', test)
    stats['_data_dir'] = data_dir
    with open(os.path.join(WORK, 'data_stats.json'), 'w', encoding='utf-8') as f:
        json.dump(stats, f, indent=2)
    for source, s in stats.items():
        if not source.startswith('_'):
            print(f"prepare-data: {source:20s} loaded {s['loaded']:6d}  train {s['train']:6d}  calib {s['calib']:5d}  test {s['test']:5d}")
    print(f'prepare-data: train {len(final_train)}, calib {len(calib)}, test {len(test)} -> {os.path.relpath(WORK, ROOT)}')


if __name__ == '__main__':
    main()
