/**
 * /healthz, /livez and /readyz in the Kubernetes format: named checks, `?verbose`, `?exclude=`,
 * and `/<endpoint>/<check>` for a single check.
 *
 * Like Kubernetes, a failing check's reason is withheld (`[-]name failed: reason withheld`), since
 * these paths are open to anonymous callers (kubelet probes). Unlike Kubernetes, a caller who asks
 * for detail (`?verbose`, or one check) and may read the path (the caller's `mayReadReasons`: an
 * authenticated user the authorizer allows) gets the reason in the same line format. Every reason
 * is also logged once when a check starts failing, and the recovery when it passes again.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logging.js';
import { sendBody } from './respond.js';

/** Returns undefined when healthy, else the reason. */
export type HealthCheck = () => string | undefined;

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

/** Whether this caller may read failing checks' reasons; asked only when one would be shown. */
export type ReasonsAccess = () => Promise<boolean>;

const WITHHELD = 'reason withheld';

interface Outcome {
  name: string;
  excluded: boolean;
  problem: string | undefined;
}

export class HealthChecks {
  private readonly checks = new Map<HealthEndpoint, Map<string, HealthCheck>>([
    ['healthz', new Map()],
    ['livez', new Map()],
    ['readyz', new Map()],
  ]);
  /** The last reason seen per failing check, to log changes of state once (not per probe). */
  private readonly failing = new Map<string, string>();

  constructor(private readonly logger?: Logger) {}

  add(endpoints: readonly HealthEndpoint[], name: string, check: HealthCheck): void {
    for (const e of endpoints) this.checks.get(e)?.set(name, check);
  }

  /**
   * Answers one request. The checks run once, before `mayReadReasons` is awaited, so the answer
   * is one consistent snapshot.
   */
  async handle(
    endpoint: HealthEndpoint,
    single: string | undefined,
    query: URLSearchParams,
    res: ServerResponse,
    mayReadReasons: ReasonsAccess = () => Promise.resolve(false),
  ): Promise<void> {
    const checks = this.checks.get(endpoint) ?? new Map<string, HealthCheck>();
    const reply = (status: number, text: string): void =>
      sendBody(res, status, 'text/plain; charset=utf-8', text, {
        'Cache-Control': 'no-cache, private',
        'X-Content-Type-Options': 'nosniff',
      });
    if (single !== undefined) {
      const check = checks.get(single);
      if (check === undefined) {
        reply(404, '404 page not found\n');
        return;
      }
      const problem = this.run(single, check);
      if (problem === undefined) reply(200, 'ok');
      else reply(500, `internal server error: ${(await mayReadReasons()) ? problem : WITHHELD}\n`);
      return;
    }
    const excluded = new Set(query.getAll('exclude'));
    const verbose = query.has('verbose');
    const outcomes: Outcome[] = [];
    for (const [name, check] of checks) {
      const skip = excluded.has(name);
      outcomes.push({ name, excluded: skip, problem: skip ? undefined : this.run(name, check) });
    }
    const failed = outcomes.some((o) => o.problem !== undefined);
    // A probe without ?verbose never costs an authorization request.
    const reasons = failed && verbose && (await mayReadReasons());
    const lines = outcomes.map((o) => {
      if (o.excluded) return `[+]${o.name} excluded: ok`;
      if (o.problem === undefined) return `[+]${o.name} ok`;
      return `[-]${o.name} failed: ${reasons ? o.problem : WITHHELD}`;
    });
    if (failed) {
      reply(500, `${lines.join('\n')}\n${endpoint} check failed\n`);
      return;
    }
    reply(200, verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok');
  }

  private run(name: string, check: HealthCheck): string | undefined {
    const problem = check();
    const before = this.failing.get(name);
    if (problem !== undefined && before === undefined) {
      this.failing.set(name, problem);
      this.logger?.info({ check: name, reason: problem }, 'health check failing');
    } else if (problem === undefined && before !== undefined) {
      this.failing.delete(name);
      this.logger?.info({ check: name }, 'health check passing again');
    }
    return problem;
  }
}
