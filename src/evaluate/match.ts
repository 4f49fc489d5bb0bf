/**
 * Matching two sorted lists of event times within a window: mir_eval's `util.match_events`.
 */

/**
 * Size of a maximum matching between `reference` and `estimated` where `reference[i]` and `estimated[j]`
 * may pair when `|reference[i] − estimated[j]| ≤ windowS`, each event used at most once — the number of
 * pairs `mir_eval.util.match_events` returns (it finds them by Hopcroft–Karp on the same graph).
 *
 * Both lists must be sorted ascending (repeats allowed). On sorted lists each estimated event's partners
 * form a run of consecutive reference events, and the runs move right as the events do, so one greedy
 * pass is exact: take the estimated events in order and pair each with the earliest reference event left
 * in its window (any reference event left of the window is out of reach of every later estimate too).
 * O(n + m) time, O(1) memory, no recursion (an augmenting-path search recursed once per event and could
 * overflow the stack on long lists).
 *
 * @param reference - reference times, sorted ascending [shape=(n)]
 * @param estimated - estimated times, sorted ascending [shape=(m)]
 * @param windowS - the largest distance of a pair, the lists' unit (seconds), ≥ 0
 * @returns the number of matched pairs, ≤ min(n, m)
 */
export function matchedPairs(reference: ArrayLike<number>, estimated: ArrayLike<number>, windowS: number): number {
  let i = 0;
  let pairs = 0;
  for (let j = 0; j < estimated.length && i < reference.length; j++) {
    const e = estimated[j];
    while (i < reference.length && reference[i] < e && !(Math.abs(reference[i] - e) <= windowS)) i++;
    if (i < reference.length && Math.abs(reference[i] - e) <= windowS) {
      pairs++;
      i++;
    }
  }
  return pairs;
}
