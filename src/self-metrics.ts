/**
 * The adapter's own Prometheus metrics (served on /metrics). One registry per server instance so
 * that tests can run several servers in one process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class SelfMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'metrics_adapter_requests_total',
    help: 'HTTP requests served, by route family and status code.',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'metrics_adapter_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route family.',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'metrics_adapter_requests_in_flight',
    help: 'HTTP requests being served now.',
    registers: [this.registry],
  });

  readonly limitedInFlight = new Gauge({
    name: 'metrics_adapter_requests_in_flight_limited',
    help: 'HTTP requests counted against --max-requests-inflight now (health and /metrics are not).',
    registers: [this.registry],
  });

  readonly requestsLimited = new Counter({
    name: 'metrics_adapter_requests_limited_total',
    help: 'Requests refused or cut short by a limit (max_requests_inflight, request_timeout, max_url_length, request_body, max_selected_objects).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly authorizationDecisions = new Counter({
    name: 'metrics_adapter_authorization_decisions_total',
    help: 'Authorization outcomes (allowed, denied, always-allowed path, error).',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });

  readonly authenticationFailures = new Counter({
    name: 'metrics_adapter_authentication_failures_total',
    help: 'Requests rejected with 401, by cause.',
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });

  readonly tokenAuthentications = new Counter({
    name: 'metrics_adapter_token_authentications_total',
    help: 'Bearer tokens checked, by method (jwt: verified locally; tokenreview; tokenreview_cache) and result (authenticated, rejected, error, unavailable).',
    labelNames: ['method', 'result'] as const,
    registers: [this.registry],
  });

  readonly certificateReloads = new Counter({
    name: 'metrics_adapter_serving_certificate_reloads_total',
    help: 'Serving certificate reload attempts, by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly certificateExpiry = new Gauge({
    name: 'metrics_adapter_serving_certificate_expiration_timestamp_seconds',
    help: 'notAfter of the serving certificate in use.',
    registers: [this.registry],
  });

  readonly upstreamRequests = new Counter({
    name: 'metrics_adapter_prometheus_requests_total',
    help: 'Requests sent to Prometheus, by endpoint and outcome.',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'metrics_adapter_prometheus_request_duration_seconds',
    help: 'Latency of requests to Prometheus, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly prometheusQueriesInFlight = new Gauge({
    name: 'metrics_adapter_prometheus_queries_in_flight',
    help: 'Prometheus calls running now (at most --max-prometheus-queries).',
    registers: [this.registry],
  });

  readonly prometheusQueriesQueued = new Gauge({
    name: 'metrics_adapter_prometheus_queries_queued',
    help: 'Prometheus calls waiting for a free slot under --max-prometheus-queries.',
    registers: [this.registry],
  });

  readonly splitQueries = new Counter({
    name: 'metrics_adapter_split_queries_total',
    help: 'Queries run as several smaller ones because the PromQL would exceed --max-query-length, by API.',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });

  readonly rulesReloads = new Counter({
    name: 'metrics_adapter_rules_reloads_total',
    help: 'Rules file reload attempts, by result (success, failure).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly rulesLastReloadSuccessful = new Gauge({
    name: 'metrics_adapter_rules_last_reload_successful',
    help: '1 when the last rules file (re)load succeeded, 0 when it was rejected.',
    registers: [this.registry],
  });

  readonly rulesLastReloadSuccessTimestamp = new Gauge({
    name: 'metrics_adapter_rules_last_reload_success_timestamp_seconds',
    help: 'When the rules in use were loaded.',
    registers: [this.registry],
  });

  readonly catalogMetrics = new Gauge({
    name: 'metrics_adapter_catalog_metrics',
    help: 'Metrics in the discovery catalog, by API (custom, external).',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });

  readonly relists = new Counter({
    name: 'metrics_adapter_series_relists_total',
    help: 'Series discovery runs, by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly relistDuration = new Histogram({
    name: 'metrics_adapter_series_relist_duration_seconds',
    help: 'Time a full series discovery takes.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly onDemandLookups = new Counter({
    name: 'metrics_adapter_on_demand_lookups_total',
    help: 'Lookups of metrics unknown to the catalog, by result (found, not_found, error, negative_cached).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly nonFiniteValues = new Counter({
    name: 'metrics_adapter_non_finite_values_total',
    help: 'Samples left out of answers because their value was NaN or infinite.',
    registers: [this.registry],
  });

  readonly resourceMetricsAnswers = new Counter({
    name: 'metrics_adapter_resource_metrics_objects_total',
    help: 'Pods and nodes answered on metrics.k8s.io, by kind (pods, nodes) and the usage source that answered (prometheus, kubelet, none).',
    labelNames: ['kind', 'source'] as const,
    registers: [this.registry],
  });

  readonly resourceSourceFailures = new Counter({
    name: 'metrics_adapter_resource_metrics_source_failures_total',
    help: 'Usage sources that could not answer a metrics.k8s.io request (the next source was asked), by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly kubeletLastScrapeSuccess = new Gauge({
    name: 'metrics_adapter_kubelet_last_successful_scrape_timestamp_seconds',
    help: "When each node's kubelet last answered a scrape completely.",
    labelNames: ['node'] as const,
    registers: [this.registry],
  });

  readonly kubeletScrapeDuration = new Histogram({
    name: 'metrics_adapter_kubelet_scrape_duration_seconds',
    help: 'Time to scrape and decode one kubelet, successful or not.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly kubeletScrapeErrors = new Counter({
    name: 'metrics_adapter_kubelet_scrape_errors_total',
    help: 'Failed kubelet scrapes, by kind (timeout, connection_refused, unauthorized, unknown_authority, name_mismatch, http_status, decode, no_address, connection, dns).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly kubeletAddressType = new Gauge({
    name: 'metrics_adapter_kubelet_address_type',
    help: 'Nodes whose kubelet is currently reached by each node address type (Hostname, InternalIP, ...; APIServerProxy: through the API server with --kubelet-via-apiserver). A node whose every address failed counts under none.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly kubeletCycleDuration = new Histogram({
    name: 'metrics_adapter_kubelet_scrape_cycle_duration_seconds',
    help: 'Time from the start of a resolution tick until every node of that tick was scraped.',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
    registers: [this.registry],
  });

  readonly kubeletPointsStored = new Gauge({
    name: 'metrics_adapter_kubelet_points_stored',
    help: 'Nodes, pods and containers the kubelet scraper holds points for, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly kubeWatchFailures = new Counter({
    name: 'metrics_adapter_kube_watch_failures_total',
    help: 'Kubernetes API list/watch failures of the caches, by collection path and reason (expired: 410 Gone, the cache re-lists; error: the list or watch failed and is retried with backoff).',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });

  readonly authenticationConfigReloads = new Counter({
    name: 'metrics_adapter_authentication_config_reloads_total',
    help: 'Reloads of the authentication settings (client CAs, requestheader settings from files or kube-system/extension-apiserver-authentication), by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
