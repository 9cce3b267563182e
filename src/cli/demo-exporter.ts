/**
 * The demo's workload: an HTTP /metrics endpoint on loopback whose counters grow at steady,
 * different rates per pod, so the rules have something real for Prometheus to scrape. It speaks
 * for the application (requests, a queue's depth) and for the kubelets' cAdvisor (container and
 * node CPU and memory, with the label names a kubelet scrape gives them), so that every kind of
 * rule has a series: custom, external and resource.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { DEMO_NODES, DEMO_PODS, DEMO_QUEUE, nodeUsage } from './demo-workload.js';

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
        `queue_messages_ready{namespace="${p.namespace}",pod="${p.name}",queue="${DEMO_QUEUE.name}"} ${DEMO_QUEUE.depthPerPod * (i + 1)}`,
      ),
    );
    // cAdvisor's names: a container's cgroup carries namespace/pod/container, the node's root
    // cgroup id="/"; both carry the node the kubelet scrape came from.
    const cpu = ['# TYPE container_cpu_usage_seconds_total counter'];
    const memory = ['# TYPE container_memory_working_set_bytes gauge'];
    for (const p of DEMO_PODS) {
      const labels = `container="${p.container}",id="/kubepods/pod-${p.name}/${p.container}",namespace="${p.namespace}",node="${p.node}",pod="${p.name}"`;
      cpu.push(`container_cpu_usage_seconds_total{${labels}} ${(seconds * p.cpuCores).toFixed(6)}`);
      memory.push(`container_memory_working_set_bytes{${labels}} ${p.memoryBytes}`);
    }
    for (const n of DEMO_NODES) {
      const usage = nodeUsage(n);
      cpu.push(
        `container_cpu_usage_seconds_total{id="/",node="${n.name}"} ${(seconds * usage.cores).toFixed(6)}`,
      );
      memory.push(`container_memory_working_set_bytes{id="/",node="${n.name}"} ${usage.memoryBytes}`);
    }
    lines.push(...cpu, ...memory);
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
