/**
 * /healthz, /livez and /readyz in the Kubernetes format: named checks, `?verbose`, `?exclude=`,
 * and `/<endpoint>/<check>` for a single check.
 */
import type { Request, Response } from 'express';

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

  handle(endpoint: HealthEndpoint, single: string | undefined, req: Request, res: Response): void {
    const checks = this.checks.get(endpoint) ?? new Map<string, HealthCheck>();
    res.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-cache, private');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (single !== undefined) {
      const check = checks.get(single);
      if (check === undefined) {
        res.status(404).send('404 page not found\n');
        return;
      }
      const problem = check();
      if (problem === undefined) res.status(200).send('ok');
      else res.status(500).send(`internal server error: ${problem}\n`);
      return;
    }
    const q = new URL(req.originalUrl, 'https://x').searchParams;
    const excluded = new Set(q.getAll('exclude'));
    const verbose = q.has('verbose');
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
      res.status(500).send(`${lines.join('\n')}\n${endpoint} check failed\n`);
      return;
    }
    res.status(200).send(verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok');
  }
}
