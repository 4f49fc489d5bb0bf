/**
 * Preloaded (`node --import`) into the songscope processes the bench spawns: at exit, the main thread writes
 * the process's peak resident set (KB) and CPU time (user and system, µs), worker threads included, to
 * `$BENCH_RSS_FILE` as JSON. Nothing else changes.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_RSS_FILE;
if (file && isMainThread) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      writeFileSync(file, JSON.stringify({ maxRssKB: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime }));
    } catch {
      // the bench then reports no figure rather than a wrong one
    }
  });
}
