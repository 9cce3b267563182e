/** A problem found in a rules file, and its one-line `file:line:col: severity: path: message` form. */
import type { SourceLocation } from './positions.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  at: SourceLocation;
  /** Where in the document, e.g. `rules[2].name.matches`. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.at.file}:${d.at.line}:${d.at.column}: ${d.severity}: ${d.path === '' ? '' : `${d.path}: `}${d.message}`;
}
