/* eslint-disable no-restricted-syntax -- a benchmark hook reads its knobs from the environment */
// Preloaded into a server by edge.bench.mjs when BENCH_PROFILE is set (`node --import …`): SIGUSR2 starts the
// V8 CPU profiler, the next SIGUSR2 stops it and writes CPU_PROFILE_FILE. Unlike `--cpu-prof` (start to
// exit), this profiles only the measured window: no start-up, warm-up or peer lookups, no idle time
// between runs. With PROFILE_KIND=heap it samples allocations instead (collected objects included), to
// see what keeps the garbage collector busy.
import inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';

const heap = process.env.PROFILE_KIND === 'heap';
const session = new inspector.Session();
session.connect();
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    if (heap) {
      session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    } else {
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    }
    return;
  }
  running = false;
  const done = (error, result) => {
    if (!error) writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(result.profile));
    process.stderr.write(error ? `profile failed: ${error.message}\n` : 'profile-written\n');
  };
  if (heap) session.post('HeapProfiler.stopSampling', done);
  else session.post('Profiler.stop', done);
});
