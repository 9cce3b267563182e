/**
 * `metrics-adapter serve`: start the server and handle signals — SIGTERM/SIGINT drain and exit
 * within 10 s, SIGHUP re-reads the rules file.
 */
import { startupNotices, stringFlag, type ParsedCommandLine } from '../config/flags.js';
import { buildServeOptions } from '../config/serve-options.js';
import { createLogger, type Logger } from '../logging.js';
import { loadRules } from '../rules/index.js';
import { startServer, type RunningServer } from '../server.js';

const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * Signal handling, installed before the server starts so that a signal during start-up is not
 * fatal: SIGTERM/SIGINT then exit at once, SIGHUP is applied once the server runs.
 */
export class SignalHandlers {
  private server: RunningServer | undefined;
  private stopping = false;
  private pendingReload = false;

  constructor(
    private readonly logger: Logger,
    private readonly shutdownDelayMs: number,
    /** Called instead of draining when a stop signal arrives before the server runs. */
    private readonly abortStart: () => void = () => process.exit(0),
  ) {
    process.on('SIGTERM', () => this.stop('SIGTERM'));
    process.on('SIGINT', () => this.stop('SIGINT'));
    process.on('SIGHUP', () => this.reload());
  }

  attach(server: RunningServer): void {
    this.server = server;
    if (this.pendingReload) this.reload();
  }

  private reload(): void {
    if (this.server === undefined) {
      this.pendingReload = true;
      return;
    }
    this.pendingReload = false;
    this.logger.info('SIGHUP: re-reading the rules file');
    void this.server.reloadRules('SIGHUP');
  }

  private stop(signal: string): void {
    if (this.stopping) return;
    this.stopping = true;
    const server = this.server;
    if (server === undefined) {
      this.logger.info({ signal }, 'stopping during start-up');
      this.abortStart();
      return;
    }
    const started = Date.now();
    this.logger.info({ signal }, 'shutting down: no new connections, draining in-flight requests');
    server.beginShutdown();
    const hardStop = setTimeout(() => {
      this.logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    hardStop.unref();
    const delay = Math.min(this.shutdownDelayMs, SHUTDOWN_LIMIT_MS - 2_000);
    setTimeout(
      () => {
        const remaining = SHUTDOWN_LIMIT_MS - (Date.now() - started) - 1_000;
        server.close(Math.max(500, remaining)).then(
          () => {
            this.logger.info('stopped');
            process.exit(0);
          },
          (err: unknown) => {
            this.logger.error({ err: (err as Error).message }, 'shutdown failed');
            process.exit(1);
          },
        );
      },
      Math.max(0, delay),
    );
  }
}

export async function serve(parsed: ParsedCommandLine): Promise<number> {
  // The rules file is checked first, so a typo in it is the first thing reported rather than
  // hidden behind a missing kubeconfig, serving certificate or unreachable Prometheus.
  const rulesFile = stringFlag(parsed.values, 'config');
  if (rulesFile !== '') {
    try {
      await loadRules(rulesFile);
    } catch (err) {
      process.stderr.write(`metrics-adapter: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const options = buildServeOptions(parsed.values, parsed.given);
  const logger = createLogger(options.logLevel);
  for (const { level, message, flags } of startupNotices(parsed)) {
    if (level === 'warn') logger.warn(message);
    else if (flags !== undefined) logger.info({ flags }, message);
    else logger.info(message);
  }
  const signals = new SignalHandlers(logger, options.serving.shutdownDelayMs);
  try {
    signals.attach(await startServer({ options, logger }));
    return await new Promise<number>(() => undefined);
  } catch (err) {
    // One line, in words: the JSON log around it already tells what had started.
    process.stderr.write(`metrics-adapter: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
}
