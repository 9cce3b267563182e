/** A problem found in a rules file, and its one-line `file:line:col: severity: path: message` form. */
import type { SourceLocation } from './positions.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  at: SourceLocation;
  /** Where in the document, e.g. `rules[2].name.matches`. */
  path: string;
  message: string;
}

/** Without a position (line 0: not read from text, e.g. an object from the API), the source alone. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.at.line === 0 ? d.at.file : `${d.at.file}:${d.at.line}:${d.at.column}`;
  return `${where}: ${d.severity}: ${d.path === '' ? '' : `${d.path}: `}${d.message}`;
}
