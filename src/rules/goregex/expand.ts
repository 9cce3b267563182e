/**
 * Go's Regexp.ExpandString: "$name", "${name}" and "$$" in a template, replaced by the text of
 * the groups they name.
 */
import type { GoRegexMatch } from './types.js';

const NAME_CHARACTER = /^[\p{L}\p{Nd}_]$/u;

/**
 * Go's extract(): a leading "name" or "{name}" after a "$". name is the longest run of letters,
 * digits and "_"; a name that is a decimal number without leading zeros is a group number.
 */
function extractReference(text: string): { name: string; num: number; rest: string } | undefined {
  let body = text;
  const brace = body.startsWith('{');
  if (brace) body = body.slice(1);
  let length = 0;
  for (const char of body) {
    if (!NAME_CHARACTER.test(char)) break;
    length += char.length;
  }
  if (length === 0) return undefined;
  const name = body.slice(0, length);
  if (brace) {
    if (body[length] !== '}') return undefined;
    length++;
  }
  let num = 0;
  for (const char of name) {
    if (char < '0' || char > '9' || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + Number(char);
  }
  if (name.startsWith('0') && name.length > 1) num = -1;
  return { name, num, rest: body.slice(length) };
}

/** Go's Regexp.ExpandString of `template` for `match`, for a regexp with these SubexpNames. */
export function expandTemplate(
  template: string,
  match: GoRegexMatch,
  subexpNames: readonly string[],
): string {
  let output = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    output += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      output += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = extractReference(rest);
    if (reference === undefined) {
      output += '$'; // malformed: Go keeps the "$" as text and reads on
      continue;
    }
    rest = reference.rest;
    output += groupText(reference, match, subexpNames);
  }
  return output + rest;
}

/** The text of a referenced group; "" for unknown groups and groups that did not participate. */
function groupText(
  { name, num }: { name: string; num: number },
  match: GoRegexMatch,
  subexpNames: readonly string[],
): string {
  if (num >= 0) return match.groups[num] ?? '';
  for (let i = 0; i < subexpNames.length; i++) {
    const text = match.groups[i];
    // Go allows duplicate names: the first group of that name that participated wins.
    if (subexpNames[i] === name && text !== undefined) return text;
  }
  return '';
}
