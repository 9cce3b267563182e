/**
 * JSON logs on stderr (stdout stays free for command output such as `--help`).
 * Every module takes a `Logger` so tests can pass a silent one.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destinationFd = 2): Logger {
  return pino(
    {
      level,
      base: { component: 'metrics-adapter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: destinationFd, sync: true }),
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
