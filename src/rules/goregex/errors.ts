/** Why a pattern was refused: invalid in Go, or valid Go we cannot translate faithfully. */
export type GoRegexErrorReason = 'invalid' | 'untranslatable';

export class GoRegexError extends Error {
  constructor(
    message: string,
    readonly reason: GoRegexErrorReason,
    /** UTF-16 offset in the pattern where the problem starts, when known. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'GoRegexError';
  }
}
