/**
 * The gallery of shape matrices and trajectories (src/plots/shape.ts): it compiles and renders without a
 * Vega-Lite warning, draws every cell and point, and refuses malformed input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeGallerySpec } from '../../src/plots/shape.js';
import { compileSpec, renderSvg } from '../../src/plots/render.js';
import { fingerprintMatrix, shapeFingerprint } from '../../src/shape/fingerprint.js';
import { generateFormAnalysis } from '../../src/synth/forms.js';
import { reduce } from '../../src/transforms/reduce.js';
import { parameterError } from '../helpers/assert.js';

const item = (form: string, title: string) => {
  const f = shapeFingerprint(generateFormAnalysis({ form, seed: 3 }), { size: 16 });
  return { title, subtitle: form, matrix: fingerprintMatrix(f.values), trajectory: reduce(f.sequence, { model: 'pca', ndims: 2 }).points.data };
};

describe('shapeGallerySpec', () => {
  test('one column per song, a matrix above a trajectory; compiles and renders without a warning', async () => {
    const spec = shapeGallerySpec({ title: 'Songs', items: [item('AABA', 'query'), item('ABAB', '#1')] }) as unknown as {
      hconcat: { title: { text: string }; vconcat: { data: { values: unknown[] } }[] }[];
    };
    assert.equal(spec.hconcat.length, 2, 'two columns');
    assert.equal(spec.hconcat[1].title.text, '#1', 'titled');
    assert.equal(spec.hconcat[0].vconcat[0].data.values.length, 256, '16 × 16 cells');
    assert.equal(spec.hconcat[0].vconcat[1].data.values.length, 16, '16 points');
    const warnings: string[] = [];
    const onLog = (level: string, message: string) => warnings.push(`${level}: ${message}`);
    compileSpec(spec as never, { onLog });
    const svg = await renderSvg(spec as never, { onLog });
    assert.deepEqual(warnings, [], 'no Vega or Vega-Lite warning');
    assert.equal((svg.match(/<path[^>]*d="M[^"]*"/g) ?? []).length > 0, true, 'draws marks');
    assert.match(svg, /similarity \(standardised\)/, 'the matrices\' legend');
    assert.match(svg, /position in the song \(%\)/, 'the trajectories\' legend');
  });

  test('malformed input is refused', () => {
    assert.throws(() => shapeGallerySpec({ title: 't', items: [] }), parameterError('items', 'no songs', 'at least one song'), 'no items');
    assert.throws(() => shapeGallerySpec({ title: 't', items: [{ title: 'x', matrix: new Float64Array(10), trajectory: new Float64Array(6) }] }), parameterError('items', "song 0's matrix of 10 values", 'a square matrix of at least 2 × 2'), 'not square');
    assert.throws(() => shapeGallerySpec({ title: 't', items: [{ title: 'x', matrix: new Float64Array(9), trajectory: new Float64Array(4) }] }), parameterError('items', "song 0's trajectory of 2 points", 'one point per row of its matrix (3)'), 'lengths');
  });
});
