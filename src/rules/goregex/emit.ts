/**
 * Writing JavaScript pattern source for u-mode, whose strict syntax turns any mistake here into a
 * compile error instead of a silent change of meaning: only plain ASCII is written raw, the rest
 * as \u{…} escapes.
 */
import type { ClassItem } from './charsets.js';

const JS_SYNTAX_CHARACTERS = new Set('^$\\.*+?()[]{}|/');

export function isAsciiAlphanumeric(codePoint: number): boolean {
  return (
    (codePoint >= 0x30 && codePoint <= 0x39) ||
    (codePoint >= 0x41 && codePoint <= 0x5a) ||
    (codePoint >= 0x61 && codePoint <= 0x7a)
  );
}

function unicodeEscape(codePoint: number): string {
  return `\\u{${codePoint.toString(16)}}`;
}

/** A literal character outside a class. */
export function emitLiteral(codePoint: number): string {
  const char = String.fromCodePoint(codePoint);
  if (JS_SYNTAX_CHARACTERS.has(char)) return `\\${char}`;
  if (codePoint >= 0x20 && codePoint < 0x7f) return char;
  return unicodeEscape(codePoint);
}

/** A character inside a class: only ASCII letters and digits are written raw. */
function emitClassChar(codePoint: number): string {
  return isAsciiAlphanumeric(codePoint) || codePoint === 0x5f
    ? String.fromCodePoint(codePoint)
    : unicodeEscape(codePoint);
}

export function emitClass(items: readonly ClassItem[], negated: boolean): string {
  const body = items
    .map((item) => {
      if (item.kind === 'escape') return item.text;
      const [lo, hi] = item.range;
      return lo === hi ? emitClassChar(lo) : `${emitClassChar(lo)}-${emitClassChar(hi)}`;
    })
    .join('');
  return `[${negated ? '^' : ''}${body}]`;
}
