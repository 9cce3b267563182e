/**
 * What one execution carries: the output so far, the variable stack, the node being evaluated
 * (exec errors point at it, as Go's state.node) and the interface{} flags of the last field and
 * argument read. Statements, pipelines and field access (the other files here) share it.
 */
import type { AnyNode, ArgNode } from '../ast.js';
import { nodeString } from '../ast.js';
import { TemplateExecError, locate, type MissingField } from '../errors.js';

/** Go's missingVal: no value is piped into the command. */
export const MISSING: unique symbol = Symbol('missing');

/** How a walk ended: normally, or by {{break}}/{{continue}} on its way to the enclosing range. */
export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export type Signal = typeof NORMAL | typeof BREAK | typeof CONTINUE;

export const NO_ARGS: readonly ArgNode[] = [];

export interface Variable {
  readonly name: string;
  value: unknown;
  /** Whether Go would see the value through an interface{} (see exec.ts). */
  iface: boolean;
}

export interface ExecTemplate {
  readonly name: string;
  readonly source: string;
}

export class ExecState {
  out = '';
  readonly vars: Variable[];
  /** The node being evaluated, which exec errors point at (Go's state.node). */
  node: AnyNode | null = null;
  /** Whether the last field read produced an interface{} value; evalField's second result. */
  lastIface = false;
  /** Whether the last argument evaluated has static type interface{}; only `slice` cares. */
  argIface = false;

  constructor(
    private readonly tmpl: ExecTemplate,
    root: unknown,
  ) {
    this.vars = [{ name: '$', value: root, iface: false }];
  }

  fail(detail: string, cause?: unknown, missingField?: MissingField): never {
    const node = this.node;
    const where = locate(this.tmpl.source, node === null ? 0 : node.pos);
    const context = node === null ? '' : nodeString(node);
    throw new TemplateExecError(this.tmpl.name, where, context, detail, {
      ...(cause === undefined ? {} : { cause }),
      ...(missingField === undefined ? {} : { missingField }),
    });
  }

  setTopVar(n: number, value: unknown, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) {
      v.value = value;
      v.iface = iface;
    }
  }

  setVar(name: string, value: unknown, iface: boolean): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        v.iface = iface;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  lookupVar(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) return v;
    }
    this.fail(`undefined variable: ${name}`);
  }
}
