/**
 * Template errors in the rule author's words. The template engine speaks Go ("can't evaluate
 * field GroupByy in type struct"); a rule author needs the field they wrote, the fields that
 * exist, and the closest one. Used when a rules file is compiled (templates are rendered with
 * sample arguments then) and when a request renders a query.
 */
import { closestMatch } from '../config/suggest.js';
import { TemplateExecError } from '../gotemplate/index.js';

/** "at column 43 of the template" / "at line 2, column 5 of the template". */
function templatePosition(err: TemplateExecError): string {
  return err.line === 1
    ? `at column ${err.column} of the template`
    : `at line ${err.line}, column ${err.column} of the template`;
}

/**
 * What went wrong executing a template, e.g. `field .GroupByy does not exist (at column 43 of the
 * template); valid fields: .Series, .LabelMatchers, … — did you mean .GroupBy?`. Errors other
 * than template execution errors keep their message.
 */
export function describeTemplateError(err: unknown): string {
  if (!(err instanceof TemplateExecError)) return err instanceof Error ? err.message : String(err);
  const missing = err.missingField;
  if (missing !== undefined) {
    const valid = missing.fields.map((f) => `.${f}`).join(', ');
    const near = closestMatch(missing.name, missing.fields);
    return `field .${missing.name} does not exist (${templatePosition(err)}); valid fields: ${valid === '' ? 'none' : valid}${near === undefined ? '' : ` — did you mean .${near}?`}`;
  }
  return `template error ${templatePosition(err)}, in <${err.context}>: ${err.detail}`;
}
