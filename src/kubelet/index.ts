/**
 * Layer kubelet/ (under apiserver/, above explain/): may import explain/ (the diagnostics types
 * it implements), providers/ and the layers below; never apiserver/, server.ts or cli/. Checked
 * by `npm run lint` (scripts/check-layers.mjs).
 *
 * The kubelet scraper, metrics-server's job: watch the nodes, scrape each kubelet's Summary API
 * (or /metrics/resource) every resolution tick, keep the last two points per node and container,
 * and answer metrics.k8s.io from memory as a ResourceUsageSource (CPU rate over the window between
 * the two points, newest working set). Wire it as:
 *
 *   const scraper = new KubeletScraper({ client: listerClient, options: serveOptions.kubelet, logger, metrics });
 *   scraper.start(); await scraper.ready;   // optional: readiness
 *   const source = scraper.usageSource();   // for the resource provider
 *   scraper.nodes                           // node records (labels, addresses) to share
 *   await scraper.stop();
 */
export { KubeletScraper, createNodeInformer, type KubeletScraperDeps } from './scraper.js';
export { UsageStore, type StoreCounts } from './store.js';
export { decodeSummary, parseKubeTime, DecodeError } from './decode-summary.js';
export { decodeResourceMetrics } from './decode-resource.js';
export {
  KubeletHttpClient,
  ScrapeError,
  classifyTransportError,
  type ScrapeErrorKind,
  type KubeletTls,
} from './kubelet-client.js';
export {
  nodeRecordFrom,
  chooseNodeAddress,
  kubeletTarget,
  kubeletTargets,
  type NodeRecord,
  type NodeAddress,
  type KubeletTarget,
} from './nodes.js';
export {
  NODE_ADDRESS_TYPES,
  type KubeletScraperOptions,
  type KubeletEndpoint,
  type KubeletViaAPIServer,
  type NodeScrape,
  type PodSample,
  type ContainerSample,
  type UsageSample,
} from './types.js';
