/**
 * Write synthetic audio analyses (see src/synth/generate.ts) for demos, tests and benchmarks:
 *
 *   npx tsx scripts/generate-analyses.ts --out DIR [--style dance|folk|both] [--count 11] [--seed 0] [--duration 240]
 *   npx tsx scripts/generate-analyses.ts --out DIR --forms AABA,ABAB,ABABCB [--count 3] [--seed 0] [--same-sound]
 *
 * Prints one line naming what it wrote. Exit codes as the CLI's: 0 done, 1 a file could not be written,
 * 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SYNTH_DURATION_S, SYNTH_STYLES, writeSyntheticAlbum, type SynthStyle } from '../src/synth/generate.js';
import { writeFormSet } from '../src/synth/forms.js';
import { DEFAULT_SEED } from '../src/util/random.js';
import { messages, ParameterError } from '../src/errors.js';

/** The flag of each option of writeSyntheticAlbum, to name it in a ParameterError's message. */
const FLAGS: Record<string, string> = { count: '--count', seed: '--seed', durationS: '--duration', style: '--style' };

const HELP = `Usage: npx tsx scripts/generate-analyses.ts --out DIR [options]

Write generated (synthetic, not measured) Spotify-shaped audio analyses as DIR/01-dance.json,
DIR/02-dance.json, …, DIR/01-folk.json, … Same options, same files, byte for byte.

Options:
  --out DIR          directory to write into (created if needed; files of the same name are replaced)
  --style STYLE      dance, folk or both (default: both)
  --count N          tracks per style, 1 … 99 (default: 11)
  --seed N           random seed, an integer (default: ${DEFAULT_SEED})
  --duration S       track length in seconds, 5 … 3600 (default: ${DEFAULT_SYNTH_DURATION_S})
  --forms LIST       instead of styles: songs of known forms (e.g. AABA,ABAB,ABABCB), --count of each,
                     as DIR/aaba-01.json, …: each song's parts, key, tempo, sound and part lengths drawn
                     afresh (src/synth/forms.ts); the test material of songscope similar
  --same-sound       with --forms: one group of --count songs per form listed, sharing their sound
                     (instrumentation, key, tempo), each of a form drawn from the list
  -h, --help         show this help
`;

class UsageError extends Error {}

function integer(name: string, text: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        style: { type: 'string', default: 'both' },
        count: { type: 'string', default: '11' },
        seed: { type: 'string', default: String(DEFAULT_SEED) },
        duration: { type: 'string', default: String(DEFAULT_SYNTH_DURATION_S) },
        forms: { type: 'string' },
        'same-sound': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  const style = values.style!;
  if (style !== 'both' && !SYNTH_STYLES.includes(style as SynthStyle)) {
    throw new UsageError(`--style must be dance, folk or both, got ${JSON.stringify(style)}`);
  }
  const count = integer('--count', values.count!);
  const seed = integer('--seed', values.seed!);
  const durationS = Number(values.duration);
  if (values.duration!.trim() === '' || !Number.isFinite(durationS)) {
    throw new UsageError(`--duration must be a number of seconds, got ${JSON.stringify(values.duration)}`);
  }
  if (values.forms !== undefined) {
    const forms = values.forms.split(',').map((f) => f.trim());
    let written: string[];
    try {
      written = await writeFormSet(values.out, { kind: values['same-sound'] ? 'same-sound' : 'same-form', forms, perGroup: count, seed });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
    process.stdout.write(`wrote ${written.length} synthetic analyses of known forms (${forms.join(', ')}; ${count} a group, seed ${seed}) to ${values.out}\n`);
    return 0;
  }
  const styles: SynthStyle[] = style === 'both' ? [...SYNTH_STYLES] : [style as SynthStyle];
  const written: string[] = [];
  for (const s of styles) {
    try {
      written.push(...(await writeSyntheticAlbum(values.out, { style: s, count, seed, durationS })));
    } catch (e) {
      if (e instanceof ParameterError) throw new UsageError(messages.parameter(FLAGS[e.parameter] ?? e.parameter, e.shown, e.expected));
      throw e;
    }
  }
  const perStyle = styles.map((s) => `${count} ${s}`).join(' + ');
  process.stdout.write(`wrote ${written.length} synthetic analyses (${perStyle}, seed ${seed}, ${durationS} s each) to ${values.out}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`generate-analyses: ${e.message}\nRun with --help for usage.\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`generate-analyses: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
