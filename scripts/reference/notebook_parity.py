#!/usr/bin/env python3
"""Reference numbers for songscope's notebook-parity tests, computed by pandas, seaborn/scipy and
scikit-learn themselves (the notebook's own libraries), on fixed generated inputs.

    python3 -m venv v && v/bin/pip install pandas scikit-learn seaborn
    v/bin/python scripts/reference/notebook_parity.py --peers ../shared/peers --out fixtures/notebook

Writes, deterministically (same libraries -> same bytes):
  OUT/two-styles.json.gz       the 24 generated analyses (issue 10's case), one JSON object {path: analysis}:
                               for i = 1..12, A/a{i}.json = synth_analysis.py (120+5i) i ... 0 and
                               B/b{i}.json = synth_analysis.py (120+5i) (100+i) ... 0.6
  OUT/notebook-parity.json     what the notebook's code computes on them (below)

What is computed, cell by cell of the notebook (../shared/notebook/notebook.txt), reading its code:
  - cells 6-10, 14 (get_model): the 1 ms model with the notebook's pandas semantics. Float seconds become
    nanoseconds by truncation, as pandas <= 1.x did ((start * 1e9).astype('M8[ns]')); pandas >= 2 rounds.
  - cell 22 (feature_vecs): each song's RAW time-average, model.mean(axis=0) -- get_models() is called with
    its default normalize=False.
  - cells 23-24: pd.DataFrame(vecs).T.corr() and sns.clustermap(that, metric='correlation') (average linkage).
  - cell 25: hyp.plot(vecs, model='MDS', n_clusters=3, ndims=2) in hypertools 0.3.1 (the notebook is Python 2
    and passes model=, so hypertools 0.3.x): no normalisation, reduce to 2-D with sklearn MDS, then
    hypertools.tools.cluster(x_reduced, n_clusters=3, ndims=2) = KMeans(n_init=10) on the PCA(2) of the
    *2-D MDS coordinates* -- k-means runs on the embedding, not on the 26-D vectors.
  - cells 36, 47: hypertools.tools.normalize(np.vstack(...), normalize='across') on the stacked song vectors:
    one array, so each column z-scored over the songs: (y - mean) / std (population), a column whose values
    are all equal -> 0 (hypertools 0.3.1: `... if len(set(y)) > 1 else np.zeros(y.shape)`).
  - cell 48: cross_val_score(SVC(kernel='linear', C=1), data, labels) -- sklearn <= 0.20 (Python 2): cv=3,
    StratifiedKFold(3) unshuffled with the pre-0.22 fold rule (each class split by its own KFold). Today's
    sklearn deals folds differently (allocation round-robin over the classes in order of first appearance);
    both rules are computed here, and 5-fold and leave-one-out too.
  - cell 49: the same after a 2-D MDS. The notebook's MDS is unseeded; here SMACOF starts from a fixed,
    recorded configuration so songscope's SMACOF can be compared with sklearn's iterate for iterate.
  - cell 33: each song's 1 s bins of the RAW model (models_fleetfoxes are not normalised), their
    timepoint correlation and their trajectory (hypertools plots IncrementalPCA in 3-D; songscope draws PCA
    in 2-D, so PCA(2) is recorded).
"""
import argparse, gzip, io, json, os, subprocess, sys, tempfile
import numpy as np, pandas as pd
import sklearn, scipy
from sklearn import svm
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import smacof
from sklearn.metrics import euclidean_distances
from sklearn.model_selection import StratifiedKFold, LeaveOneOut, KFold, cross_val_score
from scipy.cluster.hierarchy import linkage, leaves_list


def to_index(starts):
    """pandas 1.x: float seconds -> int64 nanoseconds by truncation (then the 1 ms resample floors)."""
    return pd.DatetimeIndex((np.asarray(starts, dtype=float) * 1e9).astype('int64').astype('M8[ns]'))


def get_model(analysis):
    """The notebook's get_model(uri) (cell 14), on an analysis dict, with pandas 1.x's time conversion."""
    beats = pd.DataFrame(analysis['beats'])
    beats.index = to_index(beats['start'])
    beats['beat'] = 1
    beats = beats[['beat']].resample('1ms').mean()['beat'].fillna(0)
    bars = pd.DataFrame(analysis['bars'])
    bars.index = to_index(bars['start'])
    bars['bar'] = range(1, bars.shape[0] + 1)
    bars = bars[['bar']].resample('1ms').mean()['bar'].ffill()
    segments = pd.DataFrame(analysis['segments'])
    pitches = pd.DataFrame(segments['pitches'].values.tolist())
    pitches.index = to_index(segments['start'])
    pitches = pitches.resample('1ms').mean().ffill()
    timbre = pd.DataFrame(segments['timbre'].values.tolist())
    timbre.index = to_index(segments['start'])
    timbre = timbre.resample('1ms').mean().ffill()
    pitches.columns = [f'pitch_{i}' for i in range(12)]
    timbre.columns = [f'timbre_{i}' for i in range(12)]
    return pd.concat([bars, beats, pitches, timbre], axis=1, sort=True).fillna(0)


def hyp_normalize_across_one(x):
    """hypertools 0.3.1 normalize(x, normalize='across') for a single array: columns z-scored over rows."""
    out = np.zeros_like(x)
    for j in range(x.shape[1]):
        y = x[:, j]
        out[:, j] = (y - np.mean(y)) / np.std(y) if len(set(y)) > 1 else 0.0
    return out


def folds_sklearn_legacy(y, n_splits):
    """StratifiedKFold(n_splits, shuffle=False)._make_test_folds of scikit-learn <= 0.21 (the notebook's)."""
    y = np.asarray(y)
    unique_y, y_inversed = np.unique(y, return_inverse=True)
    y_counts = np.bincount(y_inversed)
    per_cls_cvs = [KFold(n_splits, shuffle=False).split(np.zeros(max(count, n_splits))) for count in y_counts]
    test_folds = np.zeros(len(y), dtype=int)
    for test_fold_index, per_cls_splits in enumerate(zip(*per_cls_cvs)):
        for cls, (_, test_split) in zip(unique_y, per_cls_splits):
            cls_test_folds = test_folds[y == cls]
            test_split = test_split[test_split < len(cls_test_folds)]
            cls_test_folds[test_split] = test_fold_index
            test_folds[y == cls] = cls_test_folds
    return test_folds


def fold_of_each(splits, n):
    out = np.full(n, -1, dtype=int)
    for k, (_, test) in enumerate(splits):
        out[test] = k
    return out


def splits_from_fold_ids(fold_ids):
    idx = np.arange(len(fold_ids))
    return [(idx[fold_ids != k], idx[fold_ids == k]) for k in range(fold_ids.max() + 1)]


def classification(X, y):
    """Every cross-validation the parity tests check, on points X with labels y."""
    clf = svm.SVC(kernel='linear', C=1)
    out = {}
    for k in (3, 5):
        modern = list(StratifiedKFold(n_splits=k, shuffle=False).split(X, y))
        scores = cross_val_score(clf, X, y, cv=StratifiedKFold(n_splits=k, shuffle=False))
        out[f'sklearn_{k}'] = {'fold': fold_of_each(modern, len(y)).tolist(), 'scores': scores.tolist(), 'accuracy': float(np.mean(scores))}
        legacy = folds_sklearn_legacy(y, k)
        scores = cross_val_score(clf, X, y, cv=splits_from_fold_ids(legacy))
        out[f'sklearn-0.19_{k}'] = {'fold': legacy.tolist(), 'scores': scores.tolist(), 'accuracy': float(np.mean(scores))}
    scores = cross_val_score(clf, X, y, cv=LeaveOneOut())
    out['loo'] = {'scores': scores.tolist(), 'accuracy': float(np.mean(scores))}
    return out


def mds_from(Z, init, max_iter):
    """SMACOF on Euclidean distances from a fixed start; eps=0 so both sides run every iteration."""
    D = euclidean_distances(Z)
    X, stress = smacof(D, metric=True, n_components=init.shape[1], init=init.copy(), n_init=1, max_iter=max_iter, eps=0.0, normalized_stress=False)
    return X, float(stress)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--peers', required=True, help='directory holding synth_analysis.py')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    synth = os.path.join(args.peers, 'synth_analysis.py')

    paths, labels, analyses = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for group, style in (('A', '0'), ('B', '0.6')):
            os.makedirs(os.path.join(tmp, group), exist_ok=True)
            for i in range(1, 13):
                rel = f'{group}/{group.lower()}{i}.json'
                seed = i if group == 'A' else 100 + i
                subprocess.run([sys.executable, synth, str(120 + i * 5), str(seed), os.path.join(tmp, rel), style], check=True)
                with open(os.path.join(tmp, rel)) as f:
                    analyses[rel] = json.load(f)
                paths.append(rel)
                labels.append(group)

    bundle = io.BytesIO()
    with gzip.GzipFile(fileobj=bundle, mode='wb', mtime=0, filename='') as gz:
        gz.write(json.dumps(analyses, sort_keys=True, separators=(',', ':')).encode())
    with open(os.path.join(args.out, 'two-styles.json.gz'), 'wb') as f:
        f.write(bundle.getvalue())

    models = [get_model(analyses[p]) for p in paths]
    columns = ['bar', 'beat'] + [f'pitch_{i}' for i in range(12)] + [f'timbre_{i}' for i in range(12)]
    raw = np.array([m.mean(axis=0).values for m in models])
    z = hyp_normalize_across_one(raw)
    y = np.array(labels)
    ref = {
        'generator': 'scripts/reference/notebook_parity.py',
        'versions': {'python': sys.version.split()[0], 'numpy': np.__version__, 'pandas': pd.__version__,
                     'scikit-learn': sklearn.__version__, 'scipy': scipy.__version__},
        'inputs': 'two-styles.json.gz',
        'tracks': [{'path': p, 'label': l, 'rows': int(m.shape[0])} for p, l, m in zip(paths, labels, models)],
        'columns': columns,
        'vectors_raw': raw.tolist(),
        'vectors_zscore_songs': z.tolist(),
    }

    # cells 23-25 on album A alone (12 songs)
    a = raw[:12]
    corr = pd.DataFrame(a).T.corr()
    Zl = linkage(corr.values, method='average', metric='correlation')
    rng = np.random.RandomState(0)
    init_a = rng.uniform(size=12 * 2).reshape(12, 2)
    mds_a, stress_a = mds_from(a, init_a, 100)
    km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(PCA(n_components=2).fit_transform(mds_a))
    ref['album_A'] = {
        'correlation': corr.values.tolist(),
        'clustermap': {'method': 'average', 'metric': 'correlation', 'linkage': Zl.tolist(), 'order': leaves_list(Zl).tolist()},
        'mds': {'max_iter': 100, 'init': init_a.tolist(), 'points': mds_a.tolist(), 'stress': stress_a},
        'kmeans_on_mds': km.labels_.tolist(),
    }

    # cells 36, 47-49: both albums stacked, z-scored across the songs, classified
    ref['classification'] = classification(z, y)
    init_z = np.random.RandomState(1).uniform(size=24 * 2).reshape(24, 2)
    mds_z, stress_z = mds_from(z, init_z, 100)
    ref['classification_after_mds'] = {'max_iter': 100, 'init': init_z.tolist(), 'points': mds_z.tolist(), 'stress': stress_z,
                                       **classification(mds_z, y)}
    # the fold rules on labels whose first-appearing class is not the first in sorted order, three classes
    y3 = np.array(['z', 'x', 'y', 'z', 'x', 'z', 'y', 'x', 'z', 'z', 'y', 'x', 'x', 'y', 'z', 'x', 'y', 'z', 'x', 'x', 'z', 'y', 'x', 'z'])
    ref['classification_three_classes'] = {'labels': y3.tolist(), **classification(z, y3)}

    # cell 33: the first two songs' 1 s bins of the raw model
    gallery = []
    for p, m in list(zip(paths, models))[:2]:
        sec = m.resample('1s').mean()
        c = sec.T.corr()
        pca = PCA(n_components=2).fit(sec.values)
        gallery.append({'path': p, 'bins': int(sec.shape[0]),
                        'corr_rows': {str(i): c.values[i].tolist() for i in (0, 10, sec.shape[0] // 2, sec.shape[0] - 1)},
                        'explained_variance_ratio': pca.explained_variance_ratio_.tolist()})
    ref['gallery_raw'] = gallery

    with open(os.path.join(args.out, 'notebook-parity.json'), 'w') as f:
        json.dump(ref, f, indent=1)
        f.write('\n')
    print(f"wrote {args.out}/two-styles.json.gz and notebook-parity.json: LOO {ref['classification']['loo']['accuracy']:.4f}, "
          f"3-fold {ref['classification']['sklearn_3']['accuracy']:.4f} (0.19 rule {ref['classification']['sklearn-0.19_3']['accuracy']:.4f}), "
          f"5-fold {ref['classification']['sklearn_5']['accuracy']:.4f}")


if __name__ == '__main__':
    main()
