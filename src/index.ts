/**
 * songscope's library API. The CLI (`src/cli`) is a thin layer over these functions; data flows one way:
 * sources → analysis schema → feature matrix → transforms → plots/reports.
 */
export { ExitCode, ParameterError, SongscopeError, messages } from './errors.js';
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
export { readMatrix, writeMatrix, writeTable, matrixFormatFor, matrixToTable, tableToMatrix, type MatrixFormat } from './matrix/io.js';
export { loadMatrix, type LoadedMatrix, type LoadMatrixOptions } from './jobs/load.js';
export type { ResultTable, TableColumn } from './matrix/table.js';

// collections (albums, playlists, directories, manifests)
export { resolveCollection, resolveCollections, fetchAnalyses, type Collection, type TrackRef } from './sources/collection.js';

// transforms
export {
  columnStats,
  zscoreWithin,
  normalize,
  RunningColumnStats,
  NORMALIZE_MODES,
  fitNormalizer,
  loadNormalizer,
  type ColumnStats,
  type FittedNormalizer,
  type NormalizeMode,
  type NormalizerJson,
} from './transforms/normalize.js';
export { binMeans, rollingMean } from './transforms/resample.js';
export { correlateRows, similarityRows, SIMILARITY_METRICS, type SimilarityMatrix, type SimilarityMetric } from './transforms/correlate.js';
export { pointsFromMatrix, pointsFromRows, type Points } from './transforms/points.js';
export {
  kmeans,
  fitKMeans,
  loadKMeans,
  noveltyCurve,
  noveltySegments,
  contiguousWard,
  type KMeansResult,
  type KMeansModel,
  type KMeansJson,
} from './transforms/cluster.js';
export { adjustedRandIndex } from './evaluate/cluster.js';
export { labelsToBoundaries, boundaryFMeasure, sectionBoundaries } from './evaluate/segment.js';
export { hierarchicalOrder, dendrogramSegments } from './transforms/hierarchy.js';
export {
  reduce,
  fitReducer,
  loadReducer,
  smacof,
  REDUCE_MODELS,
  type Embedding,
  type ReduceModel,
  type FittedReducer,
  type ReducerJson,
} from './transforms/reduce.js';
// evaluation, as mir_eval: each module's validate(reference, estimated) and evaluate(…) → named scores
export * as evaluateBeat from './evaluate/beat.js';
export * as evaluateSegment from './evaluate/segment.js';
export * as evaluateCluster from './evaluate/cluster.js';
export { crossValidate, type ClassifyReport } from './transforms/classify.js';
export { stratifiedFolds, leaveOneOutFolds, describeCv, FOLD_RULES, type FoldRule } from './transforms/folds.js';
export { createRandom, DEFAULT_SEED } from './util/random.js';
export { outputJsonText, snakeCaseKey } from './util/outputJson.js';

// plots and reports
export { featureHeatmapSpec, similarityHeatmapSpec } from './plots/heatmap.js';
export { clusterTimelineSpec } from './plots/timeline.js';
export { trajectorySpec, labelledScatterSpec } from './plots/scatter.js';
export { songsCorrelationSpec, clustermapSpec } from './plots/songs.js';
export { compileSpec, renderSvg } from './plots/render.js';
export { writePlot, svgToPng, type PlotFormat } from './plots/output.js';
export {
  analyzeTrack,
  writeAnalyzeOutputs,
  defaultOutDir,
  analyzeGalleryItem,
  ANALYZE_PLOTS,
  type AnalyzeOptions,
  type AnalyzeResult,
  type AnalyzeSummary,
} from './jobs/analyze.js';
export { openRenderThread, renderAnalyzePlots, type RenderThread, type AnalyzeRenderer, type AnalyzeRenderInput, type AnalyzeSvgs } from './jobs/analyzeRender.js';
export { normalizeJob, correlateJob, clusterJob, reduceJob, reduceSongsJob, binnedMatrix } from './jobs/transforms.js';
export { DEFAULT_BIN_MS, binMsForDisplay, smoothingWindowBins } from './jobs/bins.js';
export { runAlbum } from './jobs/album.js';
export { runCompare } from './jobs/compare.js';
export { runClassify } from './jobs/classify.js';
export { collectGroups, type TrackGroup } from './jobs/groups.js';
export { collectTracks } from './jobs/tracks.js';
export { songVectors, zscoreColumns, pooledRowStats, SONG_NORMALIZATIONS, type SongNormalization } from './transforms/songs.js';
export { buildReportHtml, writeReport, type ReportInput, type ReportGallery, type ReportLink } from './report/html.js';
export { generateAnalysis, writeSyntheticAlbum } from './synth/generate.js';

// shape: songs alike in form (fingerprints, distances, the similar job, its evaluation)
export {
  shapeFingerprint,
  fingerprintFromGrid,
  fingerprintMatrix,
  shapeId,
  SHAPE_VERSION,
  SHAPE_LAYOUT,
  DEFAULT_SHAPE_SIZE,
  type ShapeFingerprint,
  type ShapeOptions,
} from './shape/fingerprint.js';
export { directDistance, warpedDistance, shapeDistance, shapeDistances, SHAPE_DISTANCES, type ShapeDistance, type WarpOptions } from './shape/distance.js';
export { runSimilar, SIMILAR_BY, type SimilarBy, type SimilarOptions, type SimilarResult } from './jobs/similar.js';
export { SONG_FEATURES, type SongFeatures } from './jobs/songFeatures.js';
export { resolveTracks } from './sources/tracks.js';
export { evaluate as evaluateRetrieval, validate as validateRetrieval, type RetrievalScores } from './evaluate/shape.js';
export { generateFormAnalysis, generateFormSet, transposeAnalysis, stretchAnalysis, reorchestrateAnalysis, type FormSongOptions } from './synth/forms.js';
// corpus datasets: songscope scan, the track pool, datasets as inputs
export { runScan, DEFAULT_PART_ROWS, type ScanOptions, type ScanProgress, type ScanResult } from './jobs/scan.js';
export { TrackPool, defaultJobs, type TrackPoolOptions } from './jobs/pool.js';
export { runTrackTask, type TrackTask, type TrackOutcome } from './jobs/track.js';
export { listInputs, listingToManifest, type Listing } from './corpus/listing.js';
export { isDataset, readDatasetTracks, readDatasetCollection, readDatasetGroups, type DatasetCollection } from './corpus/read.js';
export { parseShard, shardOfKey, type Shard } from './corpus/key.js';
