#!/usr/bin/env python3
"""Scan a corpus with songscope on a Ray cluster: one Ray task per shard.

usage: python3 examples/ray/scan.py --shards N -o OUT [--address ADDR] [--cpus-per-shard C]
                                    [--retries R] [--songscope CMD] INPUT... [songscope scan options]

The driver connects to a Ray cluster (--address; default: start a local one), lists the inputs once
(`songscope scan INPUT... --list`: directories walked, manifests and albums expanded, on this machine
only), and runs one Ray task per shard. Each task writes the listing to a temporary file on its node and
runs the installed `songscope scan LISTING --shard K/N -o OUT` there, with `num_cpus` = --cpus-per-shard
and as many jobs. A shard whose process fails (killed, out of memory, a node lost) is submitted again, up
to --retries times: a scan resumes where it stopped, so a retry redoes only what is missing. At the end it
prints one line per shard and the totals; the exit code is 0 when every shard finished without failed
tracks, 1 otherwise.

OUT must be a directory every node can write (a shared file system); inputs must be readable at the same
paths on every node. Any option not listed here is passed on to `songscope scan` (e.g. --grid seed,
--part-rows 5000, --cache-dir /shared/cache, --retry-failed).

Examples:
  python3 examples/ray/scan.py --shards 16 -o /shared/msd-corpus /shared/msd/data
  python3 examples/ray/scan.py --address auto --shards 64 --cpus-per-shard 4 -o /shared/fma fma.csv --grid seed
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

# `songscope scan` options that take a value (everything else unknown to this driver is a flag or an input)
SCAN_VALUE_OPTIONS = {'--grid', '--part-rows', '--jobs', '--cache-dir', '--fixtures', '--record', '--max-wait'}
# environment passed to the tasks, so every node scans with the driver's settings and credentials
PASSED_ENV = ('SONGSCOPE_', 'SPOTIFY_', 'XDG_CACHE_HOME')


def split_rest(rest):
    """Inputs and pass-on options from what argparse did not know."""
    inputs, options = [], []
    i = 0
    while i < len(rest):
        token = rest[i]
        if token == '--':
            inputs.extend(rest[i + 1:])
            break
        if token.startswith('-') and token != '-':
            options.append(token)
            if token in SCAN_VALUE_OPTIONS and i + 1 < len(rest):
                options.append(rest[i + 1])
                i += 1
        else:
            inputs.append(token)
        i += 1
    return inputs, options


def scan_shard(songscope, listing, index, count, out, jobs, options, env):
    """Run one shard's scan on this node; return its summary (raises when the process fails)."""
    with tempfile.TemporaryDirectory(prefix='songscope-ray-') as tmp:
        manifest = os.path.join(tmp, 'inputs.csv')
        with open(manifest, 'w', encoding='utf-8') as f:
            f.write(listing)
        command = songscope + ['scan', manifest, '--shard', f'{index}/{count}', '-o', out, '--json', '-q']
        if '--jobs' not in options:
            command += ['--jobs', str(jobs)]
        started = time.time()
        proc = subprocess.run(command + options, capture_output=True, text=True, env={**os.environ, **env})
        # 0: done; 1: done, some tracks failed (they are in OUT/_failures); anything else: the shard failed
        if proc.returncode not in (0, 1):
            tail = (proc.stderr.strip().splitlines() or [f'exit {proc.returncode}'])[-1]
            raise RuntimeError(f'shard {index}/{count} exited with {proc.returncode}: {tail}')
        summary = json.loads(proc.stdout)
        summary['wall_s'] = time.time() - started
        summary['exit_code'] = proc.returncode
        return summary


def main(argv):
    parser = argparse.ArgumentParser(usage='%(prog)s --shards N -o OUT [options] INPUT... [songscope scan options]', description='Scan a corpus with songscope on a Ray cluster: one task per shard.', epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--shards', type=int, required=True, help='number of shards (Ray tasks)')
    parser.add_argument('-o', '--out', required=True, help='the dataset directory, on a file system every node shares')
    parser.add_argument('--address', default=None, help="Ray cluster to connect to ('auto' for the running one); default: start a local cluster")
    parser.add_argument('--num-cpus', type=int, default=None, help='a local cluster only: how many CPUs it may use (default: all)')
    parser.add_argument('--cpus-per-shard', type=float, default=1, help='num_cpus of each task; also its --jobs (default 1)')
    parser.add_argument('--retries', type=int, default=2, help='times a failed shard is submitted again (default 2)')
    parser.add_argument('--songscope', default=os.environ.get('SONGSCOPE_COMMAND', 'songscope'), help="the command that runs songscope on the nodes (default: songscope, or $SONGSCOPE_COMMAND), e.g. 'node /opt/songscope/dist/bin/songscope.js'")
    args, rest = parser.parse_known_args(argv)
    inputs, options = split_rest(rest)
    if not inputs:
        parser.error('give at least one INPUT (a directory, manifest, album or playlist URI, or file)')
    if args.shards < 1:
        parser.error('--shards must be at least 1')
    songscope = shlex.split(args.songscope)
    out = os.path.abspath(args.out)
    env = {k: v for k, v in os.environ.items() if k.startswith(PASSED_ENV)}

    # list once, here: every shard scans the same listing, so the shards partition it exactly
    listed = subprocess.run(songscope + ['scan', *inputs, '--list', *options], capture_output=True, text=True)
    if listed.returncode != 0:
        sys.stderr.write(listed.stderr)
        return listed.returncode
    listing = listed.stdout
    total = listing.count('\n') - 1
    print(f'listed {total} inputs; scanning them in {args.shards} shards into {out}', file=sys.stderr)

    import ray  # imported late: --help and listing errors do not need it

    if args.address is None:
        ray.init(num_cpus=args.num_cpus, include_dashboard=False, logging_level='ERROR', log_to_driver=False)
    else:
        ray.init(address=args.address, logging_level='ERROR', log_to_driver=False)
    task = ray.remote(scan_shard).options(num_cpus=args.cpus_per_shard, max_retries=0)
    listing_ref = ray.put(listing)
    jobs = max(1, int(args.cpus_per_shard))

    def submit(k):
        return task.remote(songscope, listing_ref, k, args.shards, out, jobs, options, env)

    started = time.time()
    attempts = {k: 1 for k in range(1, args.shards + 1)}
    pending = {submit(k): k for k in attempts}
    results, errors = {}, {}
    while pending:
        [ready], _ = ray.wait(list(pending), num_returns=1)
        k = pending.pop(ready)
        try:
            results[k] = ray.get(ready)
            errors.pop(k, None)
        except Exception as e:  # a failed process, a lost node or worker: try again, it resumes
            errors[k] = str(e).strip().splitlines()[-1]
            if attempts[k] <= args.retries:
                attempts[k] += 1
                print(f'shard {k}/{args.shards} failed ({errors[k]}); retrying (attempt {attempts[k]})', file=sys.stderr)
                pending[submit(k)] = k
    ray.shutdown()

    for k in sorted(attempts):
        tries = f', {attempts[k]} attempts' if attempts[k] > 1 else ''
        if k in results:
            r = results[k]
            print(f"shard {k}/{args.shards}: {r['in_shard']} inputs, {r['up_to_date']} already done, {r['scanned']} scanned, {len(r['failures'])} failed, {r['wall_s']:.1f} s{tries}")
        else:
            print(f'shard {k}/{args.shards}: FAILED{tries}: {errors[k]}')
    done = [r for r in results.values()]
    failed_tracks = sum(len(r['failures']) + r['failed_before'] for r in done)
    print(
        f'total: {sum(r["in_shard"] for r in done)} of {total} inputs in {len(done)} of {args.shards} finished shards, '
        f'{sum(r["scanned"] for r in done)} scanned, {failed_tracks} failed, in {time.time() - started:.1f} s'
    )
    return 0 if len(done) == args.shards and failed_tracks == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
