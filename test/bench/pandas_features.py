#!/usr/bin/env python3
"""The baseline of `npm run bench`'s `features` figure: pandas building the 1 ms matrix of one analysis, the
notebook's get_model as the peers' seed_pipeline.py has it, in a process of its own (as `songscope features`).
usage: pandas_features.py PEERS_DIR ANALYSIS.json   -> prints rows,columns"""
import json, sys

sys.path.insert(0, sys.argv[1])
from seed_pipeline import get_model  # noqa: E402

with open(sys.argv[2]) as f:
    m = get_model(json.load(f))
print(f'{m.shape[0]},{m.shape[1]}')
