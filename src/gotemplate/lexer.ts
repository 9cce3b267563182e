/**
 * Splits template source into tokens the way Go's text/template/parse lexer does: text, delimiters
 * (with trim markers, which eat the neighbouring whitespace), comments, and the words inside
 * actions. It runs to completion before parsing; a lexical error becomes the last token, and the
 * parser reports it only if it gets that far, as Go does.
 */
import { lexFieldOrVariable, lexIdentifier, lexInsideAction, lexSpace } from './lexer/action.js';
import { lexNumber, lexQuoted, lexRawQuote } from './lexer/literals.js';
import { Scanner, type LexOptions, type State } from './lexer/scanner.js';
import { lexComment, lexLeftDelim, lexRightDelim, lexText } from './lexer/text.js';
import type { Token } from './lexer/tokens.js';

export type { LexOptions } from './lexer/scanner.js';
export { describeToken, type Token, type TokenType } from './lexer/tokens.js';

function step(s: Scanner, state: NonNullable<State>): State {
  switch (state) {
    case 'text':
      return lexText(s);
    case 'leftDelim':
      return lexLeftDelim(s);
    case 'comment':
      return lexComment(s);
    case 'rightDelim':
      return lexRightDelim(s);
    case 'insideAction':
      return lexInsideAction(s);
    case 'space':
      return lexSpace(s);
    case 'identifier':
      return lexIdentifier(s);
    case 'field':
      return lexFieldOrVariable(s, 'field');
    case 'variable':
      return s.atTerminator() ? s.emitThen('variable', 'insideAction') : lexFieldOrVariable(s, 'variable');
    case 'char':
      return lexQuoted(s, 0x27, 'character constant');
    case 'quote':
      return lexQuoted(s, 0x22, 'quoted string');
    case 'rawQuote':
      return lexRawQuote(s);
    case 'number':
      return lexNumber(s);
  }
}

/** All tokens of the source; the last is EOF or an error. */
export function lex(input: string, opts: LexOptions): Token[] {
  const s = new Scanner(input, opts);
  let state: State = 'text';
  while (state !== null) state = step(s, state);
  return s.tokens;
}
