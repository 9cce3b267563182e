/**
 * /healthz, /livez and /readyz in the Kubernetes format: named checks, `?verbose`, `?exclude=`,
 * and `/<endpoint>/<check>` for a single check.
 */
import type { ServerResponse } from 'node:http';
import { sendBody } from './respond.js';

/** Returns undefined when healthy, else the reason. */
export type HealthCheck = () => string | undefined;

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export class HealthChecks {
  private readonly checks = new Map<HealthEndpoint, Map<string, HealthCheck>>([
    ['healthz', new Map()],
    ['livez', new Map()],
    ['readyz', new Map()],
  ]);

  add(endpoints: readonly HealthEndpoint[], name: string, check: HealthCheck): void {
    for (const e of endpoints) this.checks.get(e)?.set(name, check);
  }

  handle(
    endpoint: HealthEndpoint,
    single: string | undefined,
    query: URLSearchParams,
    res: ServerResponse,
  ): void {
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
      const problem = check();
      if (problem === undefined) reply(200, 'ok');
      else reply(500, `internal server error: ${problem}\n`);
      return;
    }
    const excluded = new Set(query.getAll('exclude'));
    const verbose = query.has('verbose');
    const lines: string[] = [];
    let failed = false;
    for (const [name, check] of checks) {
      if (excluded.has(name)) {
        lines.push(`[+]${name} excluded: ok`);
        continue;
      }
      const problem = check();
      if (problem === undefined) lines.push(`[+]${name} ok`);
      else {
        failed = true;
        // Like Kubernetes, the reason is logged by the check's owner and withheld here.
        lines.push(`[-]${name} failed: reason withheld`);
      }
    }
    if (failed) {
      reply(500, `${lines.join('\n')}\n${endpoint} check failed\n`);
      return;
    }
    reply(200, verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok');
  }
}
