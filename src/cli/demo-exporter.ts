/**
 * The demo's workload: an HTTP /metrics endpoint on loopback whose counters grow at steady,
 * different rates per pod, so the rules have something real for Prometheus to scrape.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface DemoPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  service: string;
  deployment: string;
  requestsPerSecond: number;
}

export const DEMO_PODS: readonly DemoPod[] = [0, 1, 2].map((i) => ({
  namespace: 'demo',
  name: `web-${i}`,
  labels: { app: 'web', 'pod-template-hash': '5d8f9' },
  service: 'web',
  deployment: 'web',
  requestsPerSecond: 1.5 * (i + 1),
}));

export class DemoExporter {
  private readonly started = Date.now();
  private server: http.Server | undefined;

  metricsText(): string {
    const seconds = (Date.now() - this.started) / 1000;
    const lines = ['# TYPE http_requests_total counter'];
    for (const p of DEMO_PODS) {
      lines.push(
        `http_requests_total{namespace="${p.namespace}",pod="${p.name}",service="${p.service}",deployment="${p.deployment}"} ${Math.floor(seconds * p.requestsPerSecond)}`,
      );
    }
    lines.push('# TYPE queue_messages_ready gauge');
    DEMO_PODS.forEach((p, i) =>
      lines.push(
        `queue_messages_ready{namespace="${p.namespace}",pod="${p.name}",queue="orders"} ${10 * (i + 1)}`,
      ),
    );
    return lines.join('\n') + '\n';
  }

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(this.metricsText());
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const a = this.server.address() as AddressInfo;
    return `127.0.0.1:${a.port}`;
  }

  close(): void {
    this.server?.close();
  }
}
