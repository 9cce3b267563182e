/** `GET /metrics`: the adapter's own metrics in the Prometheus text format. */
import type { RequestHandler } from 'express';
import type { SelfMetrics } from '../../self-metrics.js';
import { sendBody } from '../respond.js';

export function selfMetrics(metrics: SelfMetrics): RequestHandler {
  return async (_req, res) => {
    sendBody(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
  };
}
