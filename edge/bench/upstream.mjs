/* eslint-disable no-restricted-syntax -- a benchmark script reads its knobs from the environment */
// A tiny upstream for the edge benchmark: a small JSON answer, keep-alive, health for readiness.
import http from 'node:http';

const body = JSON.stringify({ payment: { id: 'p1', amount: '19.99', currency: 'USD', status: 'authorized' } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
