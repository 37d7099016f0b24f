import { ConfigError, createLogger, listen, onShutdownSignal } from '@strangler/kit';
import { interpolationEnvironment, readEdgeConfig } from './config';
import { FileLoadError } from './files/reloadable-file';
import { createEdgeRuntime } from './runtime';

async function main(): Promise<void> {
  const config = readEdgeConfig();
  const logger = createLogger({ name: 'edge', level: config.LOG_LEVEL });
  const runtime = await createEdgeRuntime(config, { env: interpolationEnvironment(), logger });
  if (!config.EDGE_ADMIN_TOKEN) logger.warn('EDGE_ADMIN_TOKEN is not set: the /_edge/* admin endpoints are open');
  const server = await listen(runtime.edge.handler, config.PORT);
  const { table } = runtime.routes.current();
  logger.info(
    {
      port: server.port,
      flags: runtime.flags.status().where,
      monolith: table.monolith.url,
      capabilities: Object.fromEntries(table.capabilities.map((c) => [c.name, c.service.url])),
    },
    `edge listening on http://localhost:${server.port}`,
  );
  onShutdownSignal(
    logger,
    [
      { name: 'http', run: () => server.close(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'edge', run: () => runtime.close() },
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof FileLoadError) {
    process.stderr.write(`edge: ${error.message}\n`);
  } else {
    process.stderr.write(`edge: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
