/**
 * Where a value of the rules file is: every loaded value keeps its file:line:col, and a string
 * keeps where its text starts, so that errors found later inside it (regex, template, PromQL)
 * point at the exact character in the file.
 */
export interface SourceLocation {
  file: string;
  /** 1-based; 0 when the value was not read from text (then `column` is 0 too). */
  line: number;
  column: number;
}

export type ScalarStyle = 'plain' | 'quoted' | 'block';

export interface Located<T> {
  value: T;
  at: SourceLocation;
  /** Where the text of a string scalar starts, to place errors found inside it. */
  content?: { style: ScalarStyle; line: number; column: number };
}

/** Places a position found inside a string scalar (1-based line/column within the string) in the file. */
export function locateInString(s: Located<string>, line: number, column: number): SourceLocation {
  const c = s.content;
  if (c === undefined) return s.at;
  if (c.style === 'block')
    return {
      file: s.at.file,
      line: c.line + line - 1,
      column: (line === 1 ? c.column : c.column) + column - 1,
    };
  if (line === 1) return { file: s.at.file, line: c.line, column: c.column + column - 1 };
  return { file: s.at.file, line: c.line + line - 1, column };
}
