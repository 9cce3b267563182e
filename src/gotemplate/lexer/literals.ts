/** State functions for literals inside an action: quoted and raw strings, characters and numbers. */
import { quoteGo } from '../quote.js';
import { EOF, isAlphaNumeric, type Scanner, type State } from './scanner.js';

/** Scans up to the closing quote; a backslash escapes the next character but never a newline. */
export function lexQuoted(s: Scanner, close: number, what: string): State {
  for (;;) {
    let r = s.next();
    if (r === 0x5c) {
      r = s.next();
      if (r !== EOF && r !== 0x0a) continue;
    }
    if (r === EOF || r === 0x0a) return s.errorf(`unterminated ${what}`);
    if (r === close) break;
  }
  s.emit(close === 0x22 ? 'string' : 'charConstant');
  return 'insideAction';
}

export function lexRawQuote(s: Scanner): State {
  for (;;) {
    const r = s.next();
    if (r === EOF) return s.errorf('unterminated raw quoted string');
    if (r === 0x60) break;
  }
  s.emit('rawString');
  return 'insideAction';
}

function scanNumber(s: Scanner): boolean {
  s.accept('+-');
  let digits = '0123456789_';
  if (s.accept('0')) {
    // A leading 0 does not make a float octal.
    if (s.accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (s.accept('oO')) digits = '01234567_';
    else if (s.accept('bB')) digits = '01_';
  }
  s.acceptRun(digits);
  if (s.accept('.')) s.acceptRun(digits);
  if (digits.length === 11 && s.accept('eE')) {
    s.accept('+-');
    s.acceptRun('0123456789_');
  }
  if (digits.length === 23 && s.accept('pP')) {
    s.accept('+-');
    s.acceptRun('0123456789_');
  }
  s.accept('i');
  if (isAlphaNumeric(s.peek())) {
    s.next();
    return false;
  }
  return true;
}

export function lexNumber(s: Scanner): State {
  if (!scanNumber(s)) return s.errorf(`bad number syntax: ${quoteGo(s.input.slice(s.start, s.pos))}`);
  const sign = s.peek();
  if (sign === 0x2b || sign === 0x2d) {
    // A complex constant such as 1+2i: no spaces, ends in 'i'.
    if (!scanNumber(s) || s.input.charAt(s.pos - 1) !== 'i') {
      return s.errorf(`bad number syntax: ${quoteGo(s.input.slice(s.start, s.pos))}`);
    }
    s.emit('complex');
  } else {
    s.emit('number');
  }
  return 'insideAction';
}
