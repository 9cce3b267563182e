/**
 * The hint logged with each kind of scrape failure and shown by explain: which flag or permission
 * to check, naming the flags as the operator set them.
 */
import type { ScrapeErrorKind } from './kubelet-client.js';
import type { KubeletScraperOptions } from './types.js';

/** The hint for a kind of scrape failure, naming the flags as the operator set them. */
export function scrapeHint(kind: ScrapeErrorKind, o: KubeletScraperOptions): string {
  switch (kind) {
    case 'timeout':
      return `no complete answer within ${o.requestTimeoutMs} ms (--kubelet-request-timeout); the kubelet is overloaded or unreachable`;
    case 'connection_refused':
      return 'connection refused: check --kubelet-port / --kubelet-use-node-status-port and that the kubelet runs';
    case 'unauthorized':
      return o.viaAPIServer === 'always'
        ? "the API server refused the node proxy request (401/403): let the adapter's identity get nodes/proxy (RBAC, docs/security.md)"
        : 'the kubelet refused our credentials (401/403): give --kubelet-client-certificate and --kubelet-client-key, or let our identity get nodes/stats and nodes/metrics (RBAC)';
    case 'unknown_authority':
      return "the kubelet's serving certificate is signed by an unknown authority (x509): give --kubelet-certificate-authority, or --kubelet-insecure-tls";
    case 'name_mismatch':
      return "the kubelet's serving certificate is not valid for the address used (x509 name mismatch): pick another address type with --kubelet-preferred-address-types, or give the kubelets certificates naming it";
    case 'no_address':
      return 'the node has no address of the types in --kubelet-preferred-address-types';
    case 'decode':
      return `the answer could not be decoded (--kubelet-endpoint=${o.endpoint})`;
    case 'http_status':
      return `the kubelet answered with an error status (--kubelet-endpoint=${o.endpoint})`;
    case 'connection':
      return 'connection failed';
    case 'dns':
      return "the node's address does not resolve from the adapter (no such host): put a type the adapter can reach first in --kubelet-preferred-address-types (e.g. InternalIP), or --kubelet-via-apiserver=fallback";
  }
}
