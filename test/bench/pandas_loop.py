#!/usr/bin/env python3
"""The notebook's per-song loop, the baseline of `npm run bench`'s scan figures:

    for each analysis file: get_model(json.load(f)).mean()

get_model is the notebook's (cells 6-10) with today's pandas, as /work/shared/peers/seed_pipeline.py has
it (the branch for tracks with beats and bars, which every generated track has).
usage: pandas_loop.py FILE...   -> prints {"tracks": n, "seconds": s} as JSON
"""
import json, sys, time
import pandas as pd


def get_model(analysis):
    beats = pd.DataFrame(analysis['beats'])
    beats.index = pd.to_datetime(beats['start'], unit='s')
    beats['beat'] = 1
    beats = beats[['beat']].resample('1ms').mean()['beat'].fillna(0)
    bars = pd.DataFrame(analysis['bars'])
    bars.index = pd.to_datetime(bars['start'], unit='s')
    bars['bar'] = range(1, bars.shape[0] + 1)
    bars = bars[['bar']].resample('1ms').mean()['bar'].ffill()
    segments = pd.DataFrame(analysis['segments'])
    pitches = pd.DataFrame(segments['pitches'].values.tolist())
    pitches.index = pd.to_datetime(segments['start'], unit='s')
    pitches = pitches.resample('1ms').mean().ffill()
    timbre = pd.DataFrame(segments['timbre'].values.tolist())
    timbre.index = pd.to_datetime(segments['start'], unit='s')
    timbre = timbre.resample('1ms').mean().ffill()
    pitches.columns = [f'pitch_{i}' for i in range(12)]
    timbre.columns = [f'timbre_{i}' for i in range(12)]
    return pd.concat([bars, beats, pitches, timbre], axis=1).fillna(0)


files = sys.argv[1:]
started = time.perf_counter()
for path in files:
    with open(path) as f:
        get_model(json.load(f)).mean()
print(json.dumps({'tracks': len(files), 'seconds': time.perf_counter() - started}))
