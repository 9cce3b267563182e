/**
 * Diagnostic (no goal): the fixed cost of one HTTP exchange on each transport, at concurrency 1,
 * with the bench's own client. Prometheus's `/-/healthy` over plain HTTP (the floor's transport)
 * against the adapter's `/healthz` over TLS with a client certificate (the adapter's transport;
 * no authorization check, no Prometheus call), and Prometheus's cheapest query (`query=1`) as the
 * bare cost of one `/api/v1/query` exchange. In alternating rounds like the scenarios.
 */
import type { BenchClient, PreparedRequest } from './http.js';
import { median, percentile, runBlock } from './load.js';

export interface FixedCost {
  label: string;
  medianMs: number;
  p90Ms: number;
  requests: number;
}

interface Probe {
  label: string;
  client: BenchClient;
  request: PreparedRequest;
}

export async function measureFixedCosts(
  prometheus: BenchClient,
  adapter: BenchClient,
  o: { rounds: number; perRound: number },
): Promise<FixedCost[]> {
  const trivialQuery = new URLSearchParams({ query: '1', timeout: '9000ms' }).toString();
  const probes: Probe[] = [
    {
      label: 'Prometheus `GET /-/healthy`, plain HTTP',
      client: prometheus,
      request: { method: 'GET', path: '/-/healthy' },
    },
    {
      label: 'adapter `GET /healthz`, HTTPS with client certificate',
      client: adapter,
      request: { method: 'GET', path: '/healthz' },
    },
    {
      label: 'Prometheus `GET /api/v1/query?query=1`, plain HTTP',
      client: prometheus,
      request: {
        method: 'GET',
        path: `/api/v1/query?${trivialQuery}`,
        headers: { 'accept-encoding': 'identity' },
      },
    },
  ];
  const latencies = probes.map((): number[] => []);
  for (const p of probes) await runBlock(p.client, () => p.request, { requests: o.perRound, concurrency: 1 });
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? probes.map((_, i) => i) : probes.map((_, i) => probes.length - 1 - i);
    for (const i of order) {
      const p = probes[i];
      if (p === undefined) continue;
      const block = await runBlock(p.client, () => p.request, { requests: o.perRound, concurrency: 1 });
      latencies[i]?.push(...block.latenciesMs);
    }
  }
  return probes.map((p, i) => {
    const l = latencies[i] ?? [];
    return { label: p.label, medianMs: median(l), p90Ms: percentile(l, 90), requests: l.length };
  });
}
