/**
 * The two errors a template raises, with messages laid out as Go's text/template lays them out.
 * The message carries Go's location (NAME:LINE:COL, COL being Go's 0-based byte offset within the
 * line); the `line` and `column` properties are 1-based, the column in UTF-16 units of the source,
 * which is what an editor shows. Go's parse errors name only the line; these add the column too.
 */
import { quoteGo } from './quote.js';
import { utf8Length } from './values.js';

export interface SourceLocation {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  /** Go's column: bytes from the start of the line, 0-based. */
  readonly goColumn: number;
}

export function locate(source: string, offset: number): SourceLocation {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: at - lineStart + 1, goColumn: utf8Length(source.slice(lineStart, at)) };
}

/** The template could not be parsed. */
export class TemplateSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly templateName: string;
  /** The message without the "template: NAME:LINE:COL: " prefix. */
  readonly detail: string;

  constructor(templateName: string, where: SourceLocation, detail: string) {
    super(`template: ${templateName}:${where.line}:${where.goColumn}: ${detail}`);
    this.name = 'TemplateSyntaxError';
    this.templateName = templateName;
    this.line = where.line;
    this.column = where.column;
    this.detail = detail;
  }
}

/** A field that the data does not have, with the fields it has (for a "did you mean"). */
export interface MissingField {
  /** As written, without the dot. */
  readonly name: string;
  /** The fields of the value it was looked up in, in their order. */
  readonly fields: readonly string[];
}

/** Executing the template failed; the message names the node being evaluated, as Go's does. */
export class TemplateExecError extends Error {
  readonly line: number;
  readonly column: number;
  readonly templateName: string;
  /** The message without the location and context prefix. */
  readonly detail: string;
  /** The node being evaluated, as Go prints it (e.g. `.GroupByy`). */
  readonly context: string;
  /** Set when the error is a field lookup on a struct that has no such field. */
  readonly missingField?: MissingField;

  constructor(
    templateName: string,
    where: SourceLocation,
    context: string,
    detail: string,
    options?: ErrorOptions & { missingField?: MissingField },
  ) {
    super(
      `template: ${templateName}:${where.line}:${where.goColumn}: executing ${quoteGo(templateName)} at <${context}>: ${detail}`,
      options,
    );
    this.name = 'TemplateExecError';
    this.context = context;
    this.templateName = templateName;
    this.line = where.line;
    this.column = where.column;
    this.detail = detail;
    if (options?.missingField !== undefined) this.missingField = options.missingField;
  }
}
