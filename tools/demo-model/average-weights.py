#!/usr/bin/env python3
"""Average the weights of several checkpoints of ONE training run (e.g. the ends of epochs 2 and 3).

Why: consecutive epochs of the same run sit in the same basin, and the element-wise mean of their weights tends
to generalise at least as well as either end point (checkpoint averaging, as in Vaswani et al. 2017; stochastic
weight averaging, Izmailov et al. 2018), at no training cost. The result is a plain train.py state dict: calibrate
and export it with `train.py --load OUT --epochs 0`.

Usage: /usr/bin/python3 average-weights.py --out work/average.pt work/epoch2.pt work/epoch3.pt
"""
import argparse
import sys

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('checkpoints', nargs='+')
    args = ap.parse_args()
    if len(args.checkpoints) < 2:
        sys.exit('average-weights: give at least two checkpoints')
    states = [torch.load(p) for p in args.checkpoints]
    keys = set(states[0])
    for path, state in zip(args.checkpoints[1:], states[1:]):
        if set(state) != keys or any(state[k].shape != states[0][k].shape for k in keys):
            sys.exit(f'average-weights: {path} does not have the parameters of {args.checkpoints[0]} '
                     '(different architecture?)')
    # summed in float64 so the mean does not depend on the order of the checkpoints beyond float32 rounding
    average = {k: (sum(s[k].double() for s in states) / len(states)).to(states[0][k].dtype) for k in sorted(keys)}
    torch.save(average, args.out)
    print(f'average-weights: mean of {len(states)} checkpoints ({", ".join(args.checkpoints)}) -> {args.out}')


if __name__ == '__main__':
    main()
