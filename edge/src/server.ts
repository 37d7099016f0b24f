import { ConfigError, createLogger, onShutdownSignal } from '@strangler/kit';
import { interpolationEnvironment, readEdgeConfig } from './config';
import { listenEdge } from './edge-listeners';
import { FileLoadError } from './files/reloadable-file';
import { FenceFileError } from './consistency/fence-file';
import { createEdgeRuntime } from './runtime';

async function main(): Promise<void> {
  const config = readEdgeConfig();
  const logger = createLogger({ name: 'edge', level: config.LOG_LEVEL });
  const runtime = await createEdgeRuntime(config, { env: interpolationEnvironment(), logger });
  // The config refuses open admin endpoints on anything but a loopback-only listener.
  if (!config.EDGE_ADMIN_TOKEN) logger.warn('EDGE_ADMIN_TOKEN is not set: the /_edge/* admin endpoints are open to anyone on this machine');
  const listeners = await listenEdge(runtime.edge, config);
  const { table } = runtime.routes.current();
  logger.info(
    {
      port: listeners.public.port,
      host: config.HOST,
      admin: listeners.admin ? { port: listeners.admin.port, host: config.EDGE_ADMIN_HOST } : 'on the public port',
      flags: runtime.flags.status().where,
      monolith: table.monolith.url,
      capabilities: Object.fromEntries(table.capabilities.map((c) => [c.name, c.service.url])),
      trustProxy: config.TRUST_PROXY,
    },
    `edge listening on http://localhost:${listeners.public.port}`,
  );
  onShutdownSignal(
    logger,
    [
      { name: 'http', run: () => listeners.close(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'edge', run: () => runtime.close() },
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof FileLoadError || error instanceof FenceFileError) {
    process.stderr.write(`edge: ${error.message}\n`);
  } else {
    process.stderr.write(`edge: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
