// A tiny HTTP upstream in a process of its own, so a test can freeze it (SIGSTOP) and thaw it
// (SIGCONT) the way a stalled service behaves: connections accepted by the kernel, nothing answered.
// Prints `listening <port>` once ready; answers every request with its method and URL as JSON.
import http from 'node:http';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ from: process.env.UPSTREAM_NAME ?? 'upstream', method: req.method, url: req.url }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
