/* eslint-disable no-restricted-syntax -- a benchmark script reads its knobs from the environment */
// A tiny upstream for the edge benchmark, playing the monolith and the service at once: a small JSON
// answer on every path, keep-alive, and the internal session endpoint the edge resolves a bearer
// token's user id through (any token is a session; the user id is derived from the token hash).
import http from 'node:http';

const body = JSON.stringify({ payment: { id: 'p1', amount: '19.99', currency: 'USD', status: 'authorized' } });
const SESSIONS = '/internal/sessions/';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    let answer = body;
    if (req.url.startsWith(SESSIONS)) {
      const hash = req.url.slice(SESSIONS.length);
      const user = { id: `user-${hash.slice(0, 16)}`, email: `${hash.slice(0, 8)}@example.com`, name: 'Bench', createdAt: '2024-01-01T00:00:00.000Z' };
      answer = JSON.stringify({ user, expiresAt: '2099-01-01T00:00:00.000Z' });
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(answer));
    res.end(answer);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
