/**
 * Typed reads of YAML nodes that never throw: a value of the wrong shape, or an unknown key, is a
 * diagnostic at the node's position and the value is left out, so one pass reports every problem
 * of the file.
 */
import { isMap, isScalar, isSeq, Scalar, type LineCounter, type Node, type Pair } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { keySuggestion } from './key-suggestion.js';
import type { Located, SourceLocation } from './positions.js';

export class YamlReader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lines: string[];

  constructor(
    private readonly file: string,
    text: string,
    private readonly counter: LineCounter,
  ) {
    this.lines = text.split('\n');
  }

  at(node: Node | Pair | null | undefined): SourceLocation {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    const keyRange = (node as Pair | null | undefined)?.key as
      { range?: [number, number, number] } | undefined;
    const offset = range?.[0] ?? keyRange?.range?.[0] ?? 0;
    const pos = this.counter.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  error(node: Node | Pair | null | undefined, path: string, message: string): void {
    this.diagnostics.push({ severity: 'error', at: this.at(node), path, message });
  }

  warn(node: Node | Pair | null | undefined, path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', at: this.at(node), path, message });
  }

  /** Map entries with string keys; unknown keys are reported. */
  entries(
    node: Node | null | undefined,
    path: string,
    allowed: readonly string[],
  ): Map<string, { pair: Pair; value: Node | null }> {
    const out = new Map<string, { pair: Pair; value: Node | null }>();
    if (node === null || node === undefined) return out;
    if (!isMap(node)) {
      this.error(node, path, 'must be a mapping (key: value)');
      return out;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!allowed.includes(key)) {
        this.error(pair.key as Node, path, `unknown key "${key}": ${keySuggestion(key, allowed)}`);
        continue;
      }
      out.set(key, { pair, value: (pair.value as Node | null) ?? null });
    }
    return out;
  }

  string(node: Node | null | undefined, path: string): Located<string> | undefined {
    if (node === null || node === undefined) return undefined;
    if (!isScalar(node)) {
      this.error(node, path, 'must be a string');
      return undefined;
    }
    if (node.value === null) return undefined;
    if (typeof node.value === 'object') {
      this.error(node, path, 'must be a string');
      return undefined;
    }
    // Go's YAML decoder turns `as: 123` into "123"; do the same with the source text.
    const raw = node.value;
    const value =
      typeof raw === 'string'
        ? raw
        : typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint'
          ? (node.source ?? String(raw))
          : '';
    return { value, at: this.at(node), content: this.contentStart(node) };
  }

  bool(node: Node | null | undefined, path: string): Located<boolean> | undefined {
    if (node === null || node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.error(node, path, 'must be true or false');
      return undefined;
    }
    return { value: node.value, at: this.at(node) };
  }

  seq(node: Node | null | undefined, path: string): Node[] {
    if (node === null || node === undefined) return [];
    if (isScalar(node) && node.value === null) return [];
    if (!isSeq(node)) {
      this.error(node, path, 'must be a list');
      return [];
    }
    return node.items as Node[];
  }

  private contentStart(node: Scalar): Located<string>['content'] {
    // A node built from a value rather than read from text has no position to place errors in.
    if (node.range === undefined || node.range === null) return undefined;
    const start = this.at(node);
    switch (node.type) {
      case Scalar.QUOTE_DOUBLE:
      case Scalar.QUOTE_SINGLE:
        return { style: 'quoted', line: start.line, column: start.column + 1 };
      case Scalar.BLOCK_LITERAL:
      case Scalar.BLOCK_FOLDED: {
        // The text begins on the line after the indicator, at the block's indentation.
        for (let l = start.line; l < this.lines.length; l++) {
          const text = this.lines[l] ?? '';
          if (text.trim() === '') continue;
          return { style: 'block', line: l + 1, column: text.length - text.trimStart().length + 1 };
        }
        return { style: 'block', line: start.line + 1, column: 1 };
      }
      default:
        return { style: 'plain', line: start.line, column: start.column };
    }
  }
}
