/* eslint-disable no-restricted-syntax -- a benchmark script reads its knobs from the environment */
// The baseline the edge is compared with: http-proxy and a keep-alive agent, nothing else.
import http from 'node:http';
import httpProxy from 'http-proxy';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target: process.env.TARGET, agent });
proxy.on('error', (_error, _req, res) => {
  res.statusCode = 502;
  res.end();
});
const server = http.createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
