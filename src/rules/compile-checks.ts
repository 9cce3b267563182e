/**
 * The checks every part of a rules file is compiled through, each adding its diagnostic (with
 * file:line:col and what to do) instead of throwing: a regex (Go RE2), a template (Go text/template
 * with `<<` `>>`), and a query template rendered with sample arguments and parsed as PromQL.
 */
import { locateInString, type Diagnostic, type Located } from '../config/rules-file.js';
import { parseTemplate, TemplateExecError, TemplateSyntaxError, type Template } from '../gotemplate/index.js';
import { checkPromQL, rangeWindowSeconds } from '../promql/index.js';
import { compileGoRegex, GoRegexError, type GoRegex } from './goregex/index.js';
import { renderObjectQuery, sampleObjectScope } from './query.js';
import { describeTemplateError } from './template-errors.js';

export class CompileChecks {
  readonly diagnostics: Diagnostic[] = [];

  error(
    at: Located<unknown> | { at: Diagnostic['at'] },
    path: string,
    message: string,
    where?: Diagnostic['at'],
  ): void {
    this.diagnostics.push({ severity: 'error', at: where ?? at.at, path, message });
  }

  warn(at: { at: Diagnostic['at'] }, path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', at: at.at, path, message });
  }

  regex(s: Located<string>, path: string): GoRegex | undefined {
    try {
      return compileGoRegex(s.value);
    } catch (err) {
      const offset = err instanceof GoRegexError && err.offset !== undefined ? err.offset : 0;
      this.error(
        s,
        path,
        `invalid regular expression ${JSON.stringify(s.value)}: ${(err as Error).message} (Go RE2 syntax)`,
        locateInString(s, 1, offset + 1),
      );
      return undefined;
    }
  }

  template(s: Located<string>, path: string, name: string): Template | undefined {
    try {
      return parseTemplate(s.value, { name, leftDelim: '<<', rightDelim: '>>' });
    } catch (err) {
      if (err instanceof TemplateSyntaxError) {
        this.error(s, path, `template error: ${err.message}`, locateInString(s, err.line, err.column));
      } else {
        this.error(s, path, `template error: ${(err as Error).message}`);
      }
      return undefined;
    }
  }

  /** The diagnostic of a template that failed to execute. */
  execError(s: Located<string>, path: string, err: unknown): void {
    if (err instanceof TemplateExecError)
      this.error(s, path, describeTemplateError(err), locateInString(s, err.line, err.column));
    else this.error(s, path, `template error: ${(err as Error).message}`);
  }

  /** Renders a query template with sample arguments and parses the PromQL; returns its window. */
  checkQuery(src: Located<string>, path: string, template: Template): number | undefined {
    let sample: string;
    try {
      sample = renderObjectQuery({ path, metricsQuery: template }, sampleObjectScope());
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      this.execError(src, path, cause instanceof TemplateExecError ? cause : err);
      return undefined;
    }
    const check = checkPromQL(sample);
    if (!check.ok) {
      this.error(
        src,
        path,
        `renders invalid PromQL: ${check.message}. Rendered with sample arguments: ${sample}`,
      );
      return undefined;
    }
    return rangeWindowSeconds(sample);
  }

  /** Count of the errors so far (a part compiled cleanly when it added none). */
  errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }
}
