/**
 * Runs a parsed template against data, following Go's text/template exec.go step for step: the
 * same evaluation order, the same notion of the node being evaluated (errors name it, so they read
 * like Go's), missing values that print "<no value>", nil interfaces that a pipeline turns into
 * missing values, variable scopes that end at {{end}}, and break/continue inside range.
 *
 * Every value read out of a struct field, a map[string]interface{} or a slice has Go's static type
 * interface{}. `iface` flags travel with dot, variables and arguments so that "can't evaluate field
 * X in type interface {}" names the type Go would name, and so that `slice` refuses such indexes
 * as Go's does.
 */
import type { Node } from './ast.js';
import { ExecState, type ExecTemplate } from './exec/state.js';
import { walkList } from './exec/statements.js';
import { NO_VALUE } from './values.js';

export type { ExecTemplate } from './exec/state.js';

/** Executes a parsed template; throws TemplateExecError. */
export function execute(tmpl: ExecTemplate, nodes: readonly Node[], data: unknown): string {
  const root = data === null || data === undefined ? NO_VALUE : data;
  const s = new ExecState(tmpl, root);
  walkList(s, root, false, nodes);
  return s.out;
}
