/**
 * The full retrieval evaluation of the shape fingerprint (the tests run a few songs of it):
 *
 *   npx tsx scripts/evaluate-shape.ts [--seeds 0,1,2,3,4] [--per 6] [--audio-per 4] [--no-audio]
 *
 * For every seed: the `same-form` and `same-sound` sets of generated analyses (8 forms, `--per` songs a group)
 * and, unless `--no-audio`, the same two sets of generated audio analysed by the local analyzer (8 forms,
 * `--audio-per` songs a group). Prints one line per set and seed — mean average precision by shape (warped
 * and direct distances) and by features, with the chance level — then the mean and range over the seeds.
 * Deterministic: the same options print the same numbers. Exit code 2 for bad usage.
 */
import { parseArgs } from 'node:util';
import { analysisSet, audioSet, scoreSet, type LabelledSong, type SetScores } from '../test/shape/evaluation.js';
import type { FormSetKind } from '../src/synth/forms.js';

const HELP = `Usage: npx tsx scripts/evaluate-shape.ts [--seeds 0,1,2,3,4] [--per 6] [--audio-per 4] [--no-audio]`;

function integers(name: string, text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  if (!values.every((v) => /^\d+$/.test(v))) throw new Error(`${name} must be whole numbers separated by commas, got ${JSON.stringify(text)}`);
  return values.map(Number);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seeds: { type: 'string', default: '0,1,2,3,4' },
        per: { type: 'string', default: '6' },
        'audio-per': { type: 'string', default: '4' },
        'no-audio': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let seeds: number[];
  let per: number;
  let audioPer: number;
  try {
    seeds = integers('--seeds', values.seeds!);
    [per] = integers('--per', values.per!);
    [audioPer] = integers('--audio-per', values['audio-per']!);
    if (per < 2 || audioPer < 2) throw new Error('--per and --audio-per must be at least 2');
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${HELP}\n`);
    return 2;
  }
  const sets: { name: string; make: (kind: FormSetKind, seed: number) => LabelledSong[] }[] = [{ name: `analyses (8 groups × ${per})`, make: (kind, seed) => analysisSet(kind, per, seed) }];
  if (!values['no-audio']) sets.push({ name: `audio (8 groups × ${audioPer})`, make: (kind, seed) => audioSet(kind, audioPer, seed) });
  const f3 = (x: number) => x.toFixed(3);
  for (const set of sets) {
    for (const kind of ['same-form', 'same-sound'] as const) {
      const all: SetScores[] = [];
      for (const seed of seeds) {
        const t = performance.now();
        const s = scoreSet(set.make(kind, seed));
        all.push(s);
        process.stdout.write(
          `${set.name.padEnd(26)} ${kind.padEnd(10)} seed ${seed}: MAP shape ${f3(s.shape.map)} (direct ${f3(s.shapeDirect.map)}, P@1 ${f3(s.shape.precisionAt1)})  features ${f3(s.features.map)}  chance ${f3(s.shape.chanceMap)}  (${((performance.now() - t) / 1000).toFixed(1)} s)\n`,
        );
      }
      const summary = (pick: (s: SetScores) => number) => {
        const v = all.map(pick);
        return `${f3(v.reduce((a, b) => a + b, 0) / v.length)} [${f3(Math.min(...v))} … ${f3(Math.max(...v))}]`;
      };
      process.stdout.write(`${set.name.padEnd(26)} ${kind.padEnd(10)} mean over ${seeds.length}: shape ${summary((s) => s.shape.map)}, features ${summary((s) => s.features.map)}, chance ${summary((s) => s.shape.chanceMap)}\n`);
    }
  }
  return 0;
}

main().then((code) => {
  process.exitCode = code;
});
