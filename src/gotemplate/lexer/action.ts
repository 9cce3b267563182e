/** State functions inside an action: operators, spaces, identifiers and keywords, fields and variables. */
import {
  EOF,
  formatRune,
  isAlphaNumeric,
  isSpace,
  TRIM_MARKER_LEN,
  type Scanner,
  type State,
} from './scanner.js';
import { KEYWORDS } from './tokens.js';

export function lexInsideAction(s: Scanner): State {
  if (s.atRightDelim().delim) {
    if (s.parenDepth === 0) return 'rightDelim';
    return s.errorf('unclosed left paren');
  }
  const r = s.next();
  if (r === EOF) return s.errorf('unclosed action');
  if (isSpace(r)) {
    // The space may belong to a " -}}" trim marker.
    s.backup();
    return 'space';
  }
  switch (r) {
    case 0x3d: // =
      s.emit('assign');
      return 'insideAction';
    case 0x3a: // :
      if (s.next() !== 0x3d) return s.errorf('expected :=');
      s.emit('declare');
      return 'insideAction';
    case 0x7c: // |
      s.emit('pipe');
      return 'insideAction';
    case 0x22: // "
      return 'quote';
    case 0x60: // `
      return 'rawQuote';
    case 0x24: // $
      return 'variable';
    case 0x27: // '
      return 'char';
    case 0x28: // (
      s.emit('leftParen');
      s.parenDepth++;
      return 'insideAction';
    case 0x29: // )
      s.emit('rightParen');
      s.parenDepth--;
      if (s.parenDepth < 0) return s.errorf(`unexpected right paren ${formatRune(r)}`);
      return 'insideAction';
  }
  if (r === 0x2e) {
    // ".field" unless a digit follows, which makes a number like .5
    const c = s.input.charCodeAt(s.pos);
    if (s.pos < s.input.length && !(c >= 0x30 && c <= 0x39)) return 'field';
  }
  if (r === 0x2e || r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    s.backup();
    return 'number';
  }
  if (isAlphaNumeric(r)) {
    s.backup();
    return 'identifier';
  }
  if (r < 0x80 && r >= 0x20 && r < 0x7f) {
    s.emit('char');
    return 'insideAction';
  }
  return s.errorf(`unrecognized character in action: ${formatRune(r)}`);
}

export function lexSpace(s: Scanner): State {
  let numSpaces = 0;
  while (isSpace(s.peek())) {
    s.next();
    numSpaces++;
  }
  // A trim-marked right delimiter starts with a space; leave that space to it.
  if (s.hasRightTrimMarker(s.pos - 1) && s.input.startsWith(s.opts.rightDelim, s.pos - 1 + TRIM_MARKER_LEN)) {
    s.pos -= 1;
    if (numSpaces === 1) return 'rightDelim';
  }
  s.emit('space');
  return 'insideAction';
}

export function lexIdentifier(s: Scanner): State {
  for (;;) {
    const r = s.next();
    if (isAlphaNumeric(r)) continue;
    s.backup();
    const word = s.input.slice(s.start, s.pos);
    if (!s.atTerminator()) return s.errorf(`bad character ${formatRune(r)}`);
    const keyword = KEYWORDS.get(word);
    if (keyword !== undefined) {
      // Go means a function named break or continue to win over the keyword, but checks before
      // it knows the functions, so the keyword always wins; so it does here.
      s.emit(keyword);
    } else if (word === 'true' || word === 'false') {
      s.emit('bool');
    } else {
      s.emit('identifier');
    }
    return 'insideAction';
  }
}

export function lexFieldOrVariable(s: Scanner, type: 'field' | 'variable'): State {
  if (s.atTerminator()) {
    // A lone "." or "$".
    s.emit(type === 'variable' ? 'variable' : 'dot');
    return 'insideAction';
  }
  let r: number;
  for (;;) {
    r = s.next();
    if (!isAlphaNumeric(r)) {
      s.backup();
      break;
    }
  }
  if (!s.atTerminator()) return s.errorf(`bad character ${formatRune(r)}`);
  s.emit(type);
  return 'insideAction';
}
