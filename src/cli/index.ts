/**
 * Layer cli/ (second from the top, under main.ts): may import server.ts, readiness.ts and every
 * layer below them. Checked by
 * `npm run lint` (scripts/check-layers.mjs).
 *
 * Command dispatch: `serve` (default), `demo`, `check`, `explain`, `--help` (per command),
 * `--version`. Flag problems print one line naming the flag and exit 2.
 */
import { FlagError, parseCommandLine } from '../config/flags.js';
import { VERSION } from '../version.js';
import { helpText } from './help.js';

/**
 * Old prometheus-adapter manifests pass the binary's own path as the first argument
 * (`args: [/adapter, --secure-port=6443, …]`); prometheus-adapter ignores it, and so do we.
 */
export function withoutAdapterPath(argv: readonly string[]): readonly string[] {
  const [first, ...rest] = argv;
  return first !== undefined && /^(.*\/)?(adapter|prometheus-adapter|k8s-prometheus-adapter)$/.test(first)
    ? rest
    : argv;
}

export async function run(argv: readonly string[]): Promise<number> {
  try {
    const parsed = parseCommandLine(withoutAdapterPath(argv));
    if (parsed.help) {
      process.stdout.write(helpText(parsed.command, parsed.helpAll));
      return 0;
    }
    if (parsed.version) {
      process.stdout.write(`metrics-adapter ${VERSION}\n`);
      return 0;
    }
    // explain takes the API path as its argument; check reports its own stray arguments.
    const takesArguments = parsed.command === 'explain' || parsed.command === 'check';
    if (!takesArguments && parsed.positionals.length > 0)
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
      case 'check':
        return await (await import('./rule-tools/index.js')).checkCommand(parsed);
      case 'explain': {
        const tools = await import('./rule-tools/index.js');
        const [first] = parsed.positionals;
        if (first === 'pod' || first === 'node') return await tools.explainObjectCommand(parsed, first);
        return await tools.explainCommand(parsed);
      }
      default:
        throw new FlagError(
          parsed.command ?? '',
          `unknown command "${parsed.command ?? ''}" (commands: serve, demo, check, explain; see --help)`,
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
