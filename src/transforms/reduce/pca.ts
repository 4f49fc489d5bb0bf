/**
 * PCA and classical MDS of points: both from the top principal axes of the centred points.
 */
import { squaredDistance, type Points } from '../points.js';
import { encodeNumbers, integerField, numbersField } from '../modelJson.js';
import { checkProjected } from './checks.js';
import { flipSign, orthonormalise, symmetricEigen } from './linalg.js';
import { REDUCER_KIND, type Embedding, type FittedReducer, type ReducerJson } from './types.js';

/** The top `k` principal axes of a point set (shared by PCA and classical MDS). */
interface PrincipalAxes {
  /** Column means [shape=(d)]. */
  mean: Float64Array;
  /** Unit axes in feature space, sign-fixed [shape=(k, d)]. */
  axes: Float64Array;
  /** Coordinates of the points on the axes, `(x − mean) · axesᵀ` [shape=(n, k)]. */
  scores: Float64Array;
  /** Sum of squares of the points along each axis, ‖scores[:, c]‖² [shape=(k)]. */
  sumSquares: number[];
  /** Total sum of squares about the mean, Σ‖x_i − mean‖² (the trace of the cross-product matrix). */
  totalSumSquares: number;
}

/**
 * Top-`k` eigenvectors of the cross-product matrix XcᵀXc of the centred points — through the d × d matrix
 * itself when d ≤ n, else through the n × n Gram matrix XcXcᵀ (same nonzero eigenvalues; v = Xcᵀu/‖Xcᵀu‖).
 * Axes beyond the rank (or beyond d) are completed to an orthonormal set (their scores are ≈ 0).
 */
function principalAxes(points: Points, k: number): PrincipalAxes {
  const { n, d, data } = points;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += data[i * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  const xc = new Float64Array(n * d);
  let totalSumSquares = 0;
  for (let i = 0; i < n * d; i++) {
    const v = data[i] - mean[i % d];
    xc[i] = v;
    totalSumSquares += v * v;
  }

  const kd = Math.min(k, d);
  const axes = new Float64Array(k * d);
  if (d <= n) {
    const cross = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let a = 0; a < d; a++) {
        const xa = xc[o + a];
        if (xa === 0) continue;
        for (let b = a; b < d; b++) cross[a * d + b] += xa * xc[o + b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cross[a * d + b] = cross[b * d + a];
    const { vectors } = symmetricEigen(cross, d, kd);
    for (let c = 0; c < kd; c++) for (let a = 0; a < d; a++) axes[c * d + a] = vectors.get(a, c);
  } else {
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += xc[i * d + a] * xc[j * d + a];
        gram[i * n + j] = s;
        gram[j * n + i] = s;
      }
    }
    const { vectors } = symmetricEigen(gram, n, kd);
    for (let c = 0; c < kd; c++) {
      const v = axes.subarray(c * d, (c + 1) * d);
      for (let i = 0; i < n; i++) {
        const u = vectors.get(i, c);
        for (let a = 0; a < d; a++) v[a] += u * xc[i * d + a];
      }
    }
  }
  orthonormalise(axes, k, d);

  const scores = new Float64Array(n * k);
  const sumSquares: number[] = new Array(k).fill(0);
  for (let c = 0; c < k; c++) {
    const v = axes.subarray(c * d, (c + 1) * d);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += xc[i * d + a] * v[a];
      scores[i * k + c] = s;
      ss += s * s;
    }
    sumSquares[c] = ss;
    if (flipSign(scores, n, k, c)) for (let a = 0; a < d; a++) v[a] = -v[a];
  }
  return { mean, axes, scores, sumSquares, totalSumSquares };
}

/** What a fitted PCA holds: enough to project (mean, axes) and to give its embedding back. */
interface PcaState {
  n: number;
  d: number;
  ndims: number;
  /** Column means of the training points [shape=(d)]. */
  mean: Float64Array;
  /** Unit principal axes, sign-fixed [shape=(ndims, d)]. */
  axes: Float64Array;
  /** The training points' coordinates [shape=(n, ndims)]. */
  scores: Float64Array;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

export function fitPca(points: Points, ndims: number): FittedReducer {
  const { n, d } = points;
  const pa = principalAxes(points, ndims);
  return pcaReducer({
    n,
    d,
    ndims,
    mean: pa.mean,
    axes: pa.axes,
    scores: pa.scores,
    explainedVariance: pa.sumSquares.map((s) => s / (n - 1)),
    explainedVarianceRatio: pa.sumSquares.map((s) => s / pa.totalSumSquares),
  });
}

/** A saved PCA back (see `../modelJson.ts`); `o` has passed the header check. */
export function loadPca(o: Record<string, unknown>, ndims: number, d: number): FittedReducer {
  const n = integerField(o, 'n', ndims + 1);
  return pcaReducer({
    n,
    d,
    ndims,
    mean: numbersField(o, 'mean', d),
    axes: numbersField(o, 'components', ndims * d),
    scores: numbersField(o, 'embedding', n * ndims),
    explainedVariance: Array.from(numbersField(o, 'explainedVariance', ndims)),
    explainedVarianceRatio: Array.from(numbersField(o, 'explainedVarianceRatio', ndims)),
  });
}

function pcaReducer(pa: PcaState): FittedReducer {
  const { n, d, ndims } = pa;
  const embedding: Embedding = {
    model: 'pca',
    points: { n, d: ndims, data: pa.scores },
    explainedVariance: pa.explainedVariance,
    explainedVarianceRatio: pa.explainedVarianceRatio,
    components: { n: ndims, d, data: new Float64Array(pa.axes) },
  };
  return {
    embedding,
    toJSON(): ReducerJson {
      return {
        kind: REDUCER_KIND,
        version: 1,
        model: 'pca',
        ndims,
        d,
        n,
        mean: encodeNumbers(pa.mean),
        components: encodeNumbers(pa.axes),
        embedding: encodeNumbers(pa.scores),
        explainedVariance: pa.explainedVariance.slice(),
        explainedVarianceRatio: pa.explainedVarianceRatio.slice(),
      };
    },
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      for (let i = 0; i < m; i++) {
        for (let c = 0; c < ndims; c++) {
          let s = 0;
          for (let a = 0; a < d; a++) s += (newPoints.data[i * d + a] - pa.mean[a]) * pa.axes[c * d + a];
          out[i * ndims + c] = s;
        }
      }
      return { n: m, d: ndims, data: out };
    },
  };
}

/**
 * Classical MDS of points under Euclidean distances. For D the distance matrix and J the centring matrix,
 * the double-centred B = −½·J·D²·J is exactly the Gram matrix XcXcᵀ of the centred points, whose nonzero
 * eigenvalues are those of XcᵀXc; so the coordinates U·Λ^½ are computed from the d × d cross-product
 * (O(n·d²)) instead of an n × n eigendecomposition, and equal the PCA scores (up to rounding).
 */
/** What a fitted classical MDS holds: what Gower's projection needs, and its embedding. */
interface ClassicalMdsState {
  n: number;
  d: number;
  ndims: number;
  /** The training points [shape=(n, d)] (the new points' squared distances are taken to them). */
  train: Float64Array;
  /** a_j, the mean squared distance from training point j to all training points [shape=(n)]. */
  a: Float64Array;
  /** Unit eigenvectors of B, an axis with λ = 0 all zeros [shape=(n, ndims)]. */
  u: Float64Array;
  /** Eigenvalues of B (0 for an axis beyond the rank) [shape=(ndims)]. */
  lambda: number[];
  /** The training points' coordinates U·Λ^½ [shape=(n, ndims)]. */
  coords: Float64Array;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

export function fitClassicalMds(points: Points, ndims: number): FittedReducer {
  const { n, d, data } = points;
  const pa = principalAxes(points, ndims);
  // Eigenvalues of B and its unit eigenvectors U = scores / √λ (an axis with λ ≈ 0 is set to exactly 0).
  const lambda = pa.sumSquares.map((s) => (s > pa.totalSumSquares * 1e-24 ? s : 0));
  const coords = new Float64Array(n * ndims);
  const u = new Float64Array(n * ndims);
  for (let c = 0; c < ndims; c++) {
    const root = Math.sqrt(lambda[c]);
    for (let i = 0; i < n; i++) {
      if (root === 0) continue;
      coords[i * ndims + c] = pa.scores[i * ndims + c];
      u[i * ndims + c] = pa.scores[i * ndims + c] / root;
    }
  }
  // a_j = mean_i ‖x_i − x_j‖² = ‖x_j − mean‖² + (1/n)·Σ_i ‖x_i − mean‖².
  const meanSq = pa.totalSumSquares / n;
  const centroid: Points = { n: 1, d, data: pa.mean };
  const a = new Float64Array(n);
  for (let j = 0; j < n; j++) a[j] = squaredDistance(points, j, centroid, 0) + meanSq;
  return classicalMdsReducer({
    n,
    d,
    ndims,
    train: new Float64Array(data),
    a,
    u,
    lambda,
    coords,
    explainedVariance: lambda.map((l) => l / (n - 1)),
    explainedVarianceRatio: lambda.map((l) => l / pa.totalSumSquares),
  });
}

/** A saved classical MDS back (see `../modelJson.ts`); `o` has passed the header check. */
export function loadClassicalMds(o: Record<string, unknown>, ndims: number, d: number): FittedReducer {
  const n = integerField(o, 'n', ndims + 1);
  return classicalMdsReducer({
    n,
    d,
    ndims,
    train: numbersField(o, 'train', n * d),
    a: numbersField(o, 'a', n),
    u: numbersField(o, 'eigenvectors', n * ndims),
    lambda: Array.from(numbersField(o, 'eigenvalues', ndims)),
    coords: numbersField(o, 'embedding', n * ndims),
    explainedVariance: Array.from(numbersField(o, 'explainedVariance', ndims)),
    explainedVarianceRatio: Array.from(numbersField(o, 'explainedVarianceRatio', ndims)),
  });
}

function classicalMdsReducer(state: ClassicalMdsState): FittedReducer {
  const { n, d, ndims, a, u, lambda } = state;
  const train: Points = { n, d, data: state.train };
  const embedding: Embedding = {
    model: 'classical-mds',
    points: { n, d: ndims, data: state.coords },
    explainedVariance: state.explainedVariance,
    explainedVarianceRatio: state.explainedVarianceRatio,
  };
  return {
    embedding,
    toJSON(): ReducerJson {
      return {
        kind: REDUCER_KIND,
        version: 1,
        model: 'classical-mds',
        ndims,
        d,
        n,
        train: encodeNumbers(state.train),
        a: encodeNumbers(a),
        eigenvectors: encodeNumbers(u),
        eigenvalues: lambda.slice(),
        embedding: encodeNumbers(state.coords),
        explainedVariance: state.explainedVariance.slice(),
        explainedVarianceRatio: state.explainedVarianceRatio.slice(),
      };
    },
    project(newPoints: Points): Points {
      checkProjected(newPoints, d);
      const m = newPoints.n;
      const out = new Float64Array(m * ndims);
      const g = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) g[j] = a[j] - squaredDistance(newPoints, i, train, j);
        for (let c = 0; c < ndims; c++) {
          if (lambda[c] === 0) continue;
          let s = 0;
          for (let j = 0; j < n; j++) s += u[j * ndims + c] * g[j];
          out[i * ndims + c] = s / (2 * Math.sqrt(lambda[c]));
        }
      }
      return { n: m, d: ndims, data: out };
    },
  };
}
