#!/usr/bin/env node
/** Entry point of the `metrics-adapter` command. */
import { run } from './cli/index.js';

run(process.argv.slice(2)).then(
  (code) => {
    // Timers of a failed start must not keep the process alive.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(
      `metrics-adapter: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
