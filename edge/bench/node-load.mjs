// The fallback load generator when wrk is not installed, run as its own process by load-generator.mjs:
//   node node-load.mjs '{"baseUrl":…,"requestPath":…,"users":…,"tokenPrefix":…,"connections":…,"durationS":…,"rate":…}'
// Prints one `LOAD_RESULT {json}` line.
//
// Closed loop: autocannon. Fixed rate: NOT autocannon's `overallRate`/`connectionRate` — those are a
// per-second budget per connection (each connection fires its quota back to back as soon as the second
// starts, then idles), so "50 % of the maximum" would be measured as saturating bursts. Instead this
// keeps one open-loop schedule like wrk-load.lua: a slot every 1/rate s, released on a 1 ms tick, each
// request on a free keep-alive connection; latency from the write; slots that find no free connection
// for > 1 ms are counted as late.
import http from 'node:http';
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2]);
const url = `${o.baseUrl}${o.requestPath}`;
const authorization = (n) => `Bearer ${o.tokenPrefix}${n}`;
let next = Math.floor(Math.random() * Math.max(1, o.users));
const nextUser = () => (next = (next % o.users) + 1);

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(result) {
  process.stdout.write(`LOAD_RESULT ${JSON.stringify(result)}\n`);
}

function closedLoop() {
  const options = { url, connections: o.connections, duration: o.durationS };
  if (o.users > 0) options.requests = [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: authorization(nextUser()) } }) }];
  autocannon(options, (error, result) => {
    if (error) throw error;
    report({
      requests: result.requests.total,
      rps: result.requests.total / (result.duration || o.durationS),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      p999Ms: result.latency.p99_9 ?? result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      late: 0,
      scheduled: 0,
    });
  });
}

function fixedRate() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  const target = new URL(url);
  const latencies = [];
  let free = o.connections;
  let errors = 0;
  let non2xx = 0;
  let late = 0;
  let scheduled = 0;
  const started = performance.now();
  const intervalMs = 1000 / o.rate;
  const endAt = started + o.durationS * 1000;
  let nextSlot = started;
  const backlog = [];

  const send = () => {
    free -= 1;
    const sentAt = performance.now();
    const headers = o.users > 0 ? { authorization: authorization(nextUser()) } : {};
    const req = http.request({ hostname: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers }, (res) => {
      if (res.statusCode >= 400) non2xx += 1;
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - sentAt);
        free += 1;
        drain();
      });
    });
    req.on('error', () => {
      errors += 1;
      free += 1;
      drain();
    });
    req.end();
  };
  const drain = () => {
    while (free > 0 && backlog.length > 0) {
      if (performance.now() - backlog.shift() > 1) late += 1;
      send();
    }
  };
  const tick = () => {
    const now = performance.now();
    while (nextSlot <= now && nextSlot < endAt) {
      scheduled += 1;
      backlog.push(nextSlot);
      nextSlot += intervalMs;
    }
    drain();
    if (now >= endAt) {
      clearInterval(timer);
      const wait = setInterval(() => {
        if (free < o.connections && performance.now() < endAt + 5000) return;
        clearInterval(wait);
        const sorted = Float64Array.from(latencies).sort();
        report({
          requests: latencies.length,
          rps: latencies.length / o.durationS,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          p999Ms: percentile(sorted, 99.9),
          errors,
          non2xx,
          late: late + backlog.length,
          scheduled,
        });
        agent.destroy();
      }, 10);
    }
  };
  const timer = setInterval(tick, 1);
}

if (o.rate > 0) fixedRate();
else closedLoop();
