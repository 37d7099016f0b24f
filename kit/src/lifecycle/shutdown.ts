import type { Logger } from '../logging/logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * On SIGTERM or SIGINT run the steps in order (stop accepting and drain first, then close pools),
 * each bounded, then exit 0; a second signal or a failing step exits 1 at once.
 */
export function onShutdownSignal(logger: Logger, steps: ShutdownStep[], timeoutMs: number): void {
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const watchdog = setTimeout(() => {
      logger.error('shutdown took too long, exiting');
      process.exit(1);
    }, timeoutMs + 5_000);
    watchdog.unref();
    let code = 0;
    for (const step of steps) {
      try {
        await step.run();
        logger.info({ step: step.name }, 'shutdown step done');
      } catch (error) {
        code = 1;
        logger.error({ step: step.name, err: error }, 'shutdown step failed');
      }
    }
    logger.info({ code }, 'stopped');
    logger.flush?.();
    process.exit(code);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}
