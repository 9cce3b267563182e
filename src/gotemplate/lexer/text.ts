/** State functions outside actions: text up to a left delimiter, the delimiters and comments. */
import { isSpace, TRIM_MARKER_LEN, type Scanner, type State } from './scanner.js';

export function lexText(s: Scanner): State {
  const { input, opts } = s;
  const x = input.indexOf(opts.leftDelim, s.pos);
  if (x >= 0) {
    s.pos = x;
    let trimLength = 0;
    if (s.hasLeftTrimMarker(x + opts.leftDelim.length)) {
      let i = x;
      while (i > s.start && isSpace(input.charCodeAt(i - 1))) i--;
      trimLength = x - i;
    }
    s.pos -= trimLength;
    if (s.pos > s.start) s.emit('text');
    s.pos += trimLength;
    s.ignore();
    return 'leftDelim';
  }
  s.pos = input.length;
  if (s.pos > s.start) s.emit('text');
  s.emit('eof');
  return null;
}

export function lexLeftDelim(s: Scanner): State {
  s.pos += s.opts.leftDelim.length;
  const trimSpace = s.hasLeftTrimMarker(s.pos);
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (s.input.startsWith('/*', s.pos + afterMarker)) {
    s.pos += afterMarker;
    s.ignore();
    return 'comment';
  }
  s.emit('leftDelim');
  s.pos += afterMarker;
  s.ignore();
  s.parenDepth = 0;
  return 'insideAction';
}

export function lexComment(s: Scanner): State {
  s.pos += 2;
  const i = s.input.indexOf('*/', s.pos);
  if (i < 0) return s.errorf('unclosed comment');
  s.pos = i + 2;
  const { delim, trimSpaces } = s.atRightDelim();
  if (!delim) return s.errorf('comment ends before closing delimiter');
  if (trimSpaces) s.pos += TRIM_MARKER_LEN;
  s.pos += s.opts.rightDelim.length;
  if (trimSpaces) s.pos += s.leftTrimLength(s.pos);
  s.ignore();
  return 'text';
}

export function lexRightDelim(s: Scanner): State {
  const trimSpace = s.hasRightTrimMarker(s.pos);
  if (trimSpace) {
    s.pos += TRIM_MARKER_LEN;
    s.ignore();
  }
  s.pos += s.opts.rightDelim.length;
  s.emit('rightDelim');
  if (trimSpace) {
    s.pos += s.leftTrimLength(s.pos);
    s.ignore();
  }
  return 'text';
}
