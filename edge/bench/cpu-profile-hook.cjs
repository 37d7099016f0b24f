// Preloaded into the edge by edge.bench.mjs when BENCH_PROFILE is set (`node -r …`): SIGUSR2 starts the
// V8 CPU profiler, the next SIGUSR2 stops it and writes CPU_PROFILE_FILE, then "profile-written" on
// stderr. Unlike `--cpu-prof` (start to exit), this profiles only the measured window: no start-up,
// warm-up or peer lookups, no idle time between runs.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new inspector.Session();
session.connect();
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(result.profile));
    process.stderr.write(error ? `profile failed: ${error.message}\n` : 'profile-written\n');
  });
});
