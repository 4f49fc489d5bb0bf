/**
 * The worker-thread entry of the track pool (`./pool.ts`): piscina calls the default export with each task.
 */
import { runTrackTask, type TrackOutcome, type TrackTask } from './track.js';

export default function run(task: TrackTask): Promise<TrackOutcome> {
  return runTrackTask(task);
}
