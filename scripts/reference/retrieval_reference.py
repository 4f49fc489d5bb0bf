#!/usr/bin/env python3
"""Reference numbers for songscope's retrieval evaluation (src/evaluate/shape.ts), computed by
scikit-learn's average_precision_score on a fixed, generated distance matrix.

    /work/venv/bin/python scripts/reference/retrieval_reference.py --out fixtures/reference/retrieval.json

Deterministic (numpy's PCG64 with seed 13). The case: 23 items in 5 classes of sizes 6, 5, 5, 4 and 3 (and
no singleton), a symmetric distance matrix whose entries are uniform in [0, 1) plus 0.35 between items of
different classes (so retrieval is good but not perfect), with distinct values (no ties), zero diagonal.

For every item as the query, the other 22 are scored by -distance and
sklearn.metrics.average_precision_score(same_class, -distance) gives its AP (for untied scores this is the
(1/R) sum over relevant items of the precision at their rank). Also recorded per query: precision at 1 and
at 5 and the R-precision, from the ranking by distance; the means over queries are the scores.
"""
import argparse, json
import numpy as np
import sklearn
from sklearn.metrics import average_precision_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(13)
    sizes = [6, 5, 5, 4, 3]
    labels = [f'c{k}' for k, s in enumerate(sizes) for _ in range(s)]
    perm = rng.permutation(len(labels))
    labels = [labels[i] for i in perm]
    n = len(labels)
    d = rng.random((n, n))
    d = (d + d.T) / 2
    for i in range(n):
        for j in range(n):
            if labels[i] != labels[j]:
                d[i, j] += 0.35
    np.fill_diagonal(d, 0.0)
    queries = []
    for q in range(n):
        others = [j for j in range(n) if j != q]
        rel = np.array([labels[j] == labels[q] for j in others])
        score = -d[q, others]
        ap_q = float(average_precision_score(rel, score))
        order = np.argsort(d[q, others], kind='stable')
        ranked_rel = rel[order]
        R = int(rel.sum())
        queries.append({
            'query': q,
            'ap': ap_q,
            'p1': float(ranked_rel[:1].mean()),
            'p5': float(ranked_rel[:5].mean()),
            'rprec': float(ranked_rel[:R].mean()),
        })
    out = {
        'generator': f'scripts/reference/retrieval_reference.py, scikit-learn {sklearn.__version__}, numpy {np.__version__}',
        'labels': labels,
        'distances': [[float(x) for x in row] for row in d],
        'queries': queries,
        'map': float(np.mean([q['ap'] for q in queries])),
        'precisionAt1': float(np.mean([q['p1'] for q in queries])),
        'precisionAt5': float(np.mean([q['p5'] for q in queries])),
        'rPrecision': float(np.mean([q['rprec'] for q in queries])),
    }
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
