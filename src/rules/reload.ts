/**
 * Loads the rules file and keeps it current: a changed file (or SIGHUP) is read, checked and, if
 * valid, swapped in once a discovery run with the new rules has finished, so no request sees an
 * empty catalog. An invalid file is rejected with its errors logged; the old rules keep serving.
 */
import { FileSetWatcher } from '../config/file-watch.js';
import { formatDiagnostic, readRulesFile, type Diagnostic } from '../config/rules-file.js';
import type { Logger } from '../logging.js';
import type { SelfMetrics } from '../self-metrics.js';
import { compileRules } from './compile.js';
import { EMPTY_RULES, type CompiledRules } from './types.js';

export class RulesFileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(
      diagnostics
        .filter((d) => d.severity === 'error')
        .map(formatDiagnostic)
        .join('\n'),
    );
    this.name = 'RulesFileError';
  }
}

/** Reads and compiles a rules file; throws RulesFileError listing every error. */
export async function loadRules(file: string): Promise<{ rules: CompiledRules; warnings: Diagnostic[] }> {
  const parsed = await readRulesFile(file);
  const compiled = compileRules(parsed.config, parsed.diagnostics);
  if (compiled.rules === undefined) throw new RulesFileError(compiled.diagnostics);
  return { rules: compiled.rules, warnings: compiled.diagnostics.filter((d) => d.severity === 'warning') };
}

/** Where loaded rules go: the discovery itself, or the composer that merges them with rule objects. */
export interface RulesSink {
  setRules(rules: CompiledRules): Promise<void>;
}

export interface RulesReloaderOptions {
  file: string | undefined;
  discovery: RulesSink;
  logger: Logger;
  metrics: SelfMetrics;
  pollIntervalMs?: number;
}

export class RulesReloader {
  private watcher: FileSetWatcher | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: RulesReloaderOptions) {}

  /** First load: an invalid file is fatal (RulesFileError). */
  async loadInitial(): Promise<CompiledRules> {
    if (this.o.file === undefined) {
      this.o.logger.warn('no --config given: custom.metrics.k8s.io serves no metrics');
      this.o.metrics.rulesLastReloadSuccessful.set(1);
      return EMPTY_RULES;
    }
    const { rules, warnings } = await loadRules(this.o.file);
    this.logWarnings(warnings);
    this.o.logger.info(
      { file: this.o.file, rules: rules.custom.length, externalRules: rules.external.length },
      'rules loaded',
    );
    this.o.metrics.rulesReloads.inc({ result: 'success' });
    this.o.metrics.rulesLastReloadSuccessful.set(1);
    this.o.metrics.rulesLastReloadSuccessTimestamp.set(Date.now() / 1000);
    return rules;
  }

  private logWarnings(warnings: Diagnostic[]): void {
    for (const w of warnings)
      this.o.logger.warn({ at: `${w.at.file}:${w.at.line}:${w.at.column}`, path: w.path }, w.message);
  }

  async watch(): Promise<void> {
    if (this.o.file === undefined) return;
    this.watcher = await FileSetWatcher.start([this.o.file], () => void this.reload('file changed'), {
      pollIntervalMs: this.o.pollIntervalMs,
    });
  }

  /** Re-reads the file; resolves true when the new rules are in use. Reloads never overlap. */
  reload(reason: string): Promise<boolean> {
    const run = this.queue.then(() => this.reloadNow(reason));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(reason: string): Promise<boolean> {
    const file = this.o.file;
    if (file === undefined) return false;
    try {
      const { rules, warnings } = await loadRules(file);
      this.logWarnings(warnings);
      await this.o.discovery.setRules(rules);
      this.o.metrics.rulesReloads.inc({ result: 'success' });
      this.o.metrics.rulesLastReloadSuccessful.set(1);
      this.o.metrics.rulesLastReloadSuccessTimestamp.set(Date.now() / 1000);
      this.o.logger.info(
        { file, reason, rules: rules.custom.length, externalRules: rules.external.length },
        'rules reloaded',
      );
      return true;
    } catch (err) {
      this.o.metrics.rulesReloads.inc({ result: 'failure' });
      this.o.metrics.rulesLastReloadSuccessful.set(0);
      if (err instanceof RulesFileError) {
        for (const d of err.diagnostics.filter((x) => x.severity === 'error'))
          this.o.logger.error(formatDiagnostic(d));
      }
      this.o.logger.error(
        { file, reason, err: (err as Error).message },
        'new rules rejected; the previous rules keep serving',
      );
      return false;
    }
  }

  close(): void {
    this.watcher?.close();
  }
}
