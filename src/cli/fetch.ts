/**
 * `songscope fetch <input> -o analysis.json`: the analysis of any input the resolver accepts (Spotify,
 * the cache, fixtures, analysis files, MSD .h5, audio files through the local analyzer) written as one
 * JSON file in Spotify's audio-analysis schema, with songscope's provenance record beside the fields.
 */
import { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { inputError, messages } from '../errors.js';
import { addSourceOptions, printStdout, resolveOptionsFrom, say, type SourceCliOptions } from './common.js';

interface FetchCliOptions extends SourceCliOptions {
  output?: string;
  quiet?: boolean;
}

export function fetchCommand(): Command {
  const cmd = new Command('fetch')
    .summary('write the audio analysis of any input as JSON (Spotify, cache, files, audio files)')
    .description(
      'Resolve one input and write its audio analysis as JSON in Spotify\'s schema: a Spotify track (from the ' +
        'cache, recorded fixtures or the API), an analysis file, a Million Song Dataset .h5, or an audio file ' +
        '(.wav, .flac, .mp3, .ogg), which songscope analyses itself (cached by the file\'s content, so the ' +
        'second run is instant). The file carries a "provenance" record (source, analyzer, title…) that every ' +
        'songscope command reads back.',
    )
    .argument('<input>', 'audio file, analysis file, Spotify track URI/URL/id, or search query')
    .option('-o, --output <file>', 'where to write the JSON, or - for stdout (default: ./<title or file name>.analysis.json)')
    .option('-q, --quiet', 'print nothing on stderr when done');
  addSourceOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ songscope fetch song.flac -o song.analysis.json
  $ songscope fetch spotify:track:7nWUDDCpTDYle0Ppi8i5K1 --fixtures fixtures/spotify -o -`,
  );
  cmd.action(async (input: string, opts: FetchCliOptions) => {
    const started = performance.now();
    const [{ resolveAnalysis }, { analysisSlug }, { writeFileAtomic }] = await Promise.all([
      import('../sources/resolve.js'),
      import('../analysis/summary.js'),
      import('../util/atomic.js'),
    ]);
    if (opts.output !== undefined && opts.output !== '-' && (await isDirectory(opts.output))) {
      throw inputError(messages.toolkit.outputIsDirectory(opts.output));
    }
    const analysis = await resolveAnalysis(input, resolveOptionsFrom(opts, say));
    const text = JSON.stringify(analysis) + '\n';
    const output = opts.output ?? `${analysisSlug(analysis)}.analysis.json`;
    if (output === '-') await printStdout(text);
    else await writeFileAtomic(output, text);
    if (!opts.quiet) {
      const p = analysis.provenance;
      say(
        `${p.title ?? p.location}: ${analysis.segments.length} segments, ${analysis.beats.length} beats, ${analysis.sections.length} sections ` +
          `(${p.source}${p.analyzerVersion ? `, analyzer ${p.analyzerVersion}` : ''}, via ${p.origin}) → ${output === '-' ? 'stdout' : output} ` +
          `(${((performance.now() - started) / 1000).toFixed(2)} s)`,
      );
    }
  });
  return cmd;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
