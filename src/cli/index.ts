/**
 * Command dispatch: `serve` (default), `demo`, `--help`, `--version`. Flag problems print one
 * line naming the flag and exit 2.
 */
import { FlagError, parseCommandLine } from '../config/flags.js';
import { VERSION } from '../version.js';
import { helpText } from './help.js';

export async function run(argv: readonly string[]): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.help) {
      process.stdout.write(helpText());
      return 0;
    }
    if (parsed.version) {
      process.stdout.write(`metrics-adapter ${VERSION}\n`);
      return 0;
    }
    if (parsed.positionals.length > 0)
      throw new FlagError(
        parsed.positionals[0] ?? '',
        `unexpected argument "${parsed.positionals[0] ?? ''}"`,
      );
    switch (parsed.command ?? 'serve') {
      case 'serve':
        // Loaded on demand so that --help and flag errors answer at once.
        return await (await import('./serve.js')).serve(parsed);
      case 'demo':
        return await (await import('./demo.js')).demo(parsed);
      default:
        throw new FlagError(
          parsed.command ?? '',
          `unknown command "${parsed.command ?? ''}" (commands: serve, demo; see --help)`,
        );
    }
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`metrics-adapter: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
