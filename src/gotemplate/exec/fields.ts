/**
 * Reading fields and variables: .A.B chains through structs and maps, what a missing map key or a
 * nil receiver gives, and the interface{} type Go would name in "can't evaluate field" errors.
 */
import type { AnyNode, ArgNode, FieldNode, VariableNode } from '../ast.js';
import { nodeString } from '../ast.js';
import { NO_VALUE, goTypeName, kindOf, mapHasTypedElems } from '../values.js';
import { MISSING, NO_ARGS, type ExecState } from './state.js';

export function notAFunction(s: ExecState, args: readonly ArgNode[], final: unknown): void {
  const head = args[0];
  if (head !== undefined && (args.length > 1 || final !== MISSING)) {
    s.fail(`can't give argument to non-function ${nodeString(head)}`);
  }
}

export function evalFieldNode(
  s: ExecState,
  dot: unknown,
  dotIface: boolean,
  field: FieldNode,
  args: readonly ArgNode[],
  final: unknown,
): unknown {
  s.node = field;
  return evalFieldChain(s, dot, dot, dotIface, field, field.ident, 0, args, final);
}

export function evalVariableNode(
  s: ExecState,
  dot: unknown,
  dotIface: boolean,
  variable: VariableNode,
  args: readonly ArgNode[],
  final: unknown,
): unknown {
  s.node = variable;
  const v = s.lookupVar(variable.ident[0] ?? '');
  if (variable.ident.length === 1) {
    notAFunction(s, args, final);
    s.lastIface = v.iface;
    return v.value;
  }
  return evalFieldChain(s, dot, v.value, v.iface, variable, variable.ident, 1, args, final);
}

export function evalFieldChain(
  s: ExecState,
  dot: unknown,
  receiver: unknown,
  receiverIface: boolean,
  node: AnyNode,
  ident: readonly string[],
  from: number,
  args: readonly ArgNode[],
  final: unknown,
): unknown {
  let r = receiver;
  let iface = receiverIface;
  const last = ident.length - 1;
  for (let i = from; i < last; i++) {
    r = evalField(s, ident[i] ?? '', NO_ARGS, MISSING, r, iface);
    iface = s.lastIface;
  }
  return evalField(s, ident[last] ?? '', args, final, r, iface);
}

function evalField(
  s: ExecState,
  fieldName: string,
  args: readonly ArgNode[],
  final: unknown,
  receiver: unknown,
  iface: boolean,
): unknown {
  if (receiver === NO_VALUE) {
    s.lastIface = false;
    return NO_VALUE;
  }
  if (receiver === null || receiver === undefined) s.fail(`nil pointer evaluating interface {}.${fieldName}`);
  const hasArgs = args.length > 1 || final !== MISSING;
  const kind = kindOf(receiver);
  if (kind === 'struct') {
    if (Object.hasOwn(receiver, fieldName)) {
      if (hasArgs) s.fail(`${fieldName} has arguments but cannot be invoked as function`);
      s.lastIface = true;
      return (receiver as Record<string, unknown>)[fieldName];
    }
  } else if (kind === 'map') {
    if (hasArgs) s.fail(`${fieldName} is not a method but has arguments`);
    const m = receiver as Map<unknown, unknown>;
    s.lastIface = !mapHasTypedElems(m);
    return m.has(fieldName) ? m.get(fieldName) : NO_VALUE;
  }
  s.fail(
    `can't evaluate field ${fieldName} in type ${iface ? 'interface {}' : goTypeName(receiver)}`,
    undefined,
    // Callers (the rules compiler) turn this into "no such field; valid fields: …".
    kind === 'struct' ? { name: fieldName, fields: Object.keys(receiver) } : undefined,
  );
}
