/**
 * Slugs and display titles stay bounded whatever the metadata holds (a fuzz case gave a 50 MB title,
 * which was copied into every plot spec: 700 MB written, 2 GB of memory).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayText, MAX_DISPLAY_CHARS, MAX_SLUG_CHARS, slug } from '../../src/util/slug.js';

test('slug: the documented examples, and at most MAX_SLUG_CHARS characters, never ending in -', () => {
  assert.equal(slug('Quiet  Instrumental!'), 'quiet-instrumental', 'runs of punctuation and spaces become one -');
  assert.equal(slug('Beyoncé — Halo'), 'beyonce-halo', 'accents on Latin letters removed');
  assert.equal(slug('夜に駆ける'), '夜に駆ける', 'other scripts kept');
  const long = slug('ab '.repeat(10_000_000));
  assert.equal(long.length, MAX_SLUG_CHARS, `a 30 MB title gives a ${MAX_SLUG_CHARS}-character slug ('ab-ab-…-ab')`);
  assert.equal(slug('abc '.repeat(1000)).length, MAX_SLUG_CHARS - 1, 'a cut that would end in - loses it');
  assert.ok(!long.endsWith('-'), 'no trailing -');
});

test('displayText: short text unchanged; long text cut to MAX_DISPLAY_CHARS with …, never half a surrogate pair', () => {
  assert.equal(displayText('Gangnam Style'), 'Gangnam Style', 'short text as it is');
  const cut = displayText('x'.repeat(50_000_000));
  assert.equal(cut.length, MAX_DISPLAY_CHARS, 'cut to the limit');
  assert.ok(cut.endsWith('…'), 'marked as cut');
  const emoji = displayText('😀'.repeat(1000));
  assert.ok(!/[\uD800-\uDBFF]…$/.test(emoji), 'the cut does not split a surrogate pair');
  assert.ok(emoji.length <= MAX_DISPLAY_CHARS, 'within the limit');
});
