/**
 * `metrics-adapter serve`: start the server and handle signals — SIGTERM/SIGINT drain and exit
 * within 10 s, SIGHUP re-reads the rules file.
 */
import { compatOnlyFlagsGiven, type ParsedCommandLine } from '../config/flags.js';
import { buildServeOptions } from '../config/serve-options.js';
import { createLogger, type Logger } from '../logging.js';
import { startServer, type RunningServer } from '../server.js';

const SHUTDOWN_LIMIT_MS = 10_000;

export function installSignalHandlers(server: RunningServer, logger: Logger, shutdownDelayMs: number): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down: no new connections, draining in-flight requests');
    server.beginShutdown();
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    hardStop.unref();
    const delay = Math.min(shutdownDelayMs, SHUTDOWN_LIMIT_MS - 2_000);
    setTimeout(
      () => {
        const remaining = SHUTDOWN_LIMIT_MS - (Date.now() - started) - 1_000;
        server.close(Math.max(500, remaining)).then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err: (err as Error).message }, 'shutdown failed');
            process.exit(1);
          },
        );
      },
      Math.max(0, delay),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: re-reading the rules file');
    void server.reloadRules('SIGHUP');
  });
}

export async function serve(parsed: ParsedCommandLine): Promise<number> {
  const options = buildServeOptions(parsed.values, parsed.given);
  const logger = createLogger(options.logLevel);
  const ignored = compatOnlyFlagsGiven(parsed);
  if (ignored.length > 0) logger.info({ flags: ignored }, 'flags accepted for compatibility have no effect');
  try {
    const server = await startServer({ options, logger });
    installSignalHandlers(server, logger, options.serving.shutdownDelayMs);
    return await new Promise<number>(() => undefined);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'cannot start');
    process.stderr.write(`metrics-adapter: ${(err as Error).message}\n`);
    return 1;
  }
}
