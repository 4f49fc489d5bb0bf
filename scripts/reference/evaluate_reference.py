#!/usr/bin/env python3
"""Reference scores for songscope's src/evaluate/ (beat, segment, cluster), computed by mir_eval and
scikit-learn themselves on small fixed inputs.

    python3 -m venv v && v/bin/pip install mir_eval==0.8.2 scikit-learn numpy scipy
    v/bin/python scripts/reference/evaluate_reference.py > fixtures/reference/evaluate.json

Deterministic: the inputs are written out below (or drawn from numpy's PCG64 with a fixed seed and then
rounded, and written into the JSON with the scores), so the same libraries give the same bytes.

  beat:    mir_eval.beat.evaluate's 'F-measure' and 'Cemgil' (after trim_beats, 5 s); precision and recall
           from mir_eval.util.match_events on the trimmed lists, as f_measure computes them.
  segment: mir_eval.segment.detection (windows 0.5 and 3.0, trim False and True) and
           mir_eval.segment.deviation, on the intervals between consecutive boundaries.
  cluster: sklearn.metrics adjusted_rand_score, rand_score and pair_confusion_matrix (pairwise precision
           and recall as mir_eval.segment.pairwise defines them); mir_eval.segment.pairwise itself on unit
           intervals sampled with frame_size=1 as a cross-check of the pairwise numbers.
"""
import json
import sys
import warnings

import numpy as np
import mir_eval
import sklearn
from sklearn.metrics import adjusted_rand_score, rand_score
from sklearn.metrics.cluster import pair_confusion_matrix


def beat_case(name, reference, estimated):
    ref = np.array(reference, dtype=float)
    est = np.array(estimated, dtype=float)
    scores = mir_eval.beat.evaluate(ref, est)
    r, e = mir_eval.beat.trim_beats(ref), mir_eval.beat.trim_beats(est)
    if len(r) and len(e):
        matched = len(mir_eval.util.match_events(r, e, 0.07))
        precision, recall = matched / len(e), matched / len(r)
    else:
        matched, precision, recall = 0, 0.0, 0.0
    return {
        'name': name,
        'reference': list(map(float, ref)),
        'estimated': list(map(float, est)),
        'F-measure': float(scores['F-measure']),
        'Precision': float(precision),
        'Recall': float(recall),
        'Cemgil': float(scores['Cemgil']),
        'matched': matched,
    }


def intervals(boundaries):
    b = np.array(boundaries, dtype=float)
    return np.stack([b[:-1], b[1:]], axis=1)


def segment_case(name, reference, estimated):
    ref, est = intervals(reference), intervals(estimated)
    out = {'name': name, 'reference': reference, 'estimated': estimated}
    for trim in (False, True):
        scores = {}
        for window in (0.5, 3.0):
            p, r, f = mir_eval.segment.detection(ref, est, window=window, trim=trim)
            scores[f'Precision@{window}'] = float(p)
            scores[f'Recall@{window}'] = float(r)
            scores[f'F-measure@{window}'] = float(f)
        r2e, e2r = mir_eval.segment.deviation(ref, est, trim=trim)
        scores['Ref-to-est deviation'] = float(r2e)
        scores['Est-to-ref deviation'] = float(e2r)
        out['trim' if trim else 'untrimmed'] = scores
    return out


def cluster_case(name, reference, estimated):
    c = pair_confusion_matrix(reference, estimated)  # [[neither, only estimated], [only reference, both]]
    both, only_est, only_ref = int(c[1, 1]), int(c[0, 1]), int(c[1, 0])
    precision = both / (both + only_est) if both + only_est else 0.0
    recall = both / (both + only_ref) if both + only_ref else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(reference)
    unit = np.stack([np.arange(n, dtype=float), np.arange(n, dtype=float) + 1], axis=1)
    labels = lambda xs: [str(x) for x in xs]
    with np.errstate(all='ignore'):
        me = mir_eval.segment.pairwise(unit, labels(reference), unit, labels(estimated), frame_size=1.0)
    return {
        'name': name,
        'reference': reference,
        'estimated': estimated,
        'Pairwise Precision': precision,
        'Pairwise Recall': recall,
        'Pairwise F-measure': f,
        'Rand Index': float(rand_score(reference, estimated)),
        'Adjusted Rand Index': float(adjusted_rand_score(reference, estimated)),
        'mir_eval pairwise': [float(x) for x in me],
    }


def finite_or_none(value):
    """JSON has no NaN: a NaN score (mir_eval's deviation of an empty list) is written as null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_or_none(v) for v in value]
    return value


def main():
    warnings.simplefilter('ignore')  # mir_eval warns about the empty lists the cases include on purpose
    rng = np.random.default_rng(20260101)
    # A 120 bpm track of 30 s; the tracker misses 3 beats, adds 2, and jitters by up to ±90 ms.
    grid = [round(0.5 * k, 3) for k in range(60)]
    jittered = [round(t + float(rng.uniform(-0.09, 0.09)), 3) for t in grid]
    kept = [t for k, t in enumerate(jittered) if k not in (17, 31, 44)]
    tracked = sorted(kept + [12.26, 21.74])
    beats = [
        beat_case('identical', [6, 6.5, 7, 7.5, 8], [6, 6.5, 7, 7.5, 8]),
        beat_case('60 ms early', [6, 6.5, 7, 7.5, 8], [5.94, 6.44, 6.94, 7.44, 7.94]),
        beat_case('80 ms late', [6, 6.5, 7, 7.5, 8], [6.08, 6.58, 7.08, 7.58, 8.08]),
        beat_case('doubled', [6, 6.5, 7, 7.5, 8], [6, 6.01, 6.5, 6.51, 7, 7.01, 7.5, 7.51, 8, 8.01]),
        beat_case('before 5 s only', [1, 2, 3], [1, 2, 3]),
        beat_case('no estimates', [6, 7, 8], []),
        beat_case('one estimate between two references', [6, 6.1], [6.05]),
        beat_case('jittered tracker', grid, tracked),
    ]
    segments = [
        segment_case('identical', [0, 10, 20, 30], [0, 10, 20, 30]),
        segment_case('hand example', [0, 10, 22, 30], [0, 10.4, 20, 21.8, 30]),
        segment_case('window edges', [0, 5, 12.5, 40], [0, 5.5, 9.5, 16, 40]),
        segment_case('crowded estimate', [0, 8.25, 16.5, 33, 41.25, 60], [0, 7.9, 8.3, 8.6, 16, 17, 30, 33.4, 45, 60]),
        segment_case('two boundaries only', [0, 60], [0, 30, 60]),
    ]
    clusters = [
        cluster_case('sklearn docs', [0, 0, 1, 1], [0, 0, 1, 2]),
        cluster_case('swapped names', [0, 0, 1, 1], [1, 1, 0, 0]),
        cluster_case('against chance', [0, 0, 1, 1], [0, 1, 0, 1]),
        cluster_case('all together vs singletons', [0, 0, 0, 0], [0, 1, 2, 3]),
        cluster_case('singletons vs all together', [0, 1, 2, 3], [0, 0, 0, 0]),
        cluster_case('sections vs k-means', [0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 0, 0], [0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 0, 1]),
        cluster_case('random', [int(x) for x in rng.integers(0, 4, 40)], [int(x) for x in rng.integers(0, 3, 40)]),
    ]
    json.dump(
        finite_or_none({
            'generator': 'scripts/reference/evaluate_reference.py',
            'mir_eval': mir_eval.__version__,
            'scikit-learn': sklearn.__version__,
            'numpy': np.__version__,
            'beat': beats,
            'segment': segments,
            'cluster': clusters,
        }),
        sys.stdout,
        indent=1,
        allow_nan=False,
    )
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
