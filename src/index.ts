/**
 * songscope's library API. The CLI (`src/cli`) is a thin layer over these functions; data flows one way:
 * sources → analysis schema → feature matrix → transforms → plots/reports.
 */
export { ExitCode, SongscopeError, messages } from './errors.js';
export { VERSION } from './version.js';

// analysis schema
export type { Analysis, AudioAnalysis, Provenance, Section, Segment, SourceKind, TimeInterval, TrackMetadata } from './analysis/types.js';
export { validateAnalysis, detectSourceKind, type ValidationResult } from './analysis/schema.js';
export { summarizeAnalysis, keyName, type TrackSummary } from './analysis/summary.js';

// sources
export { resolveAnalysis, type ResolveOptions } from './sources/resolve.js';
export { parseInput, type InputRef } from './sources/input.js';
export { readAnalysisFile, readAnalysisStream, analysisFromJson } from './sources/files.js';
export { readMsdFile } from './sources/msd.js';
export { AnalysisCache, defaultCacheDir } from './sources/cache.js';
export { SpotifyClient, spotifyOptionsFromEnv, type SpotifyClientOptions } from './sources/spotify.js';

// feature matrix
export {
  FEATURE_COLUMNS,
  PITCH_CLASS_NAMES,
  TIME_COLUMN,
  column,
  createMatrix,
  rowAt,
  valueAt,
  type FeatureMatrix,
  type MatrixMetadata,
} from './matrix/featureMatrix.js';
export { buildFeatureMatrix, fullMs, seedMs, type GridOptions, type GridSemantics } from './matrix/grid.js';
export { readMatrix, writeMatrix, matrixFormatFor, matrixToTable, tableToMatrix, type MatrixFormat } from './matrix/io.js';

// transforms
export { columnStats, zscoreWithin, type ColumnStats } from './transforms/normalize.js';
export { binMeans, rollingMean } from './transforms/resample.js';
export { correlateRows, type SimilarityMatrix } from './transforms/correlate.js';

// plots and reports
export { featureHeatmapSpec, similarityHeatmapSpec } from './plots/heatmap.js';
export { compileSpec, renderSvg } from './plots/render.js';
export { analyzeTrack, writeAnalyzeOutputs, defaultOutDir, type AnalyzeOptions, type AnalyzeResult } from './report/analyze.js';
