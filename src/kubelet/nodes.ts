/**
 * Node records as the scraper needs them (kept compact by the informer's transform), and the
 * choice of the address and port to reach a node's kubelet, as metrics-server makes it.
 */
import { isIP } from 'node:net';
import { internLabels, internString } from '../kube/intern.js';

export interface NodeAddress {
  type: string;
  address: string;
}

export interface NodeRecord {
  name: string;
  labels: Readonly<Record<string, string>>;
  creationTimestamp: string | undefined;
  addresses: readonly NodeAddress[];
  /** status.daemonEndpoints.kubeletEndpoint.Port; 0 when absent. */
  kubeletPort: number;
}

interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string>; creationTimestamp?: string };
  status?: {
    addresses?: { type?: unknown; address?: unknown }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: unknown } };
  };
}

/** The informer transform for /api/v1/nodes. */
export function nodeRecordFrom(obj: unknown): NodeRecord | undefined {
  const node = obj as NodeObject;
  const name = node.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const addresses: NodeAddress[] = [];
  for (const a of node.status?.addresses ?? []) {
    if (typeof a.type === 'string' && typeof a.address === 'string' && a.address !== '')
      addresses.push({ type: internString(a.type), address: a.address });
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return {
    name,
    labels: internLabels(node.metadata?.labels),
    creationTimestamp: node.metadata?.creationTimestamp,
    addresses,
    kubeletPort: typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : 0,
  };
}

/** The first address of the first preferred type the node reports, or undefined. */
export function chooseNodeAddress(
  node: Pick<NodeRecord, 'addresses'>,
  preferredTypes: readonly string[],
): NodeAddress | undefined {
  for (const type of preferredTypes) {
    const found = node.addresses.find((a) => a.type === type);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface KubeletTarget {
  address: NodeAddress;
  port: number;
  /** host:port for a URL (IPv6 in brackets). */
  authority: string;
}

export function kubeletTarget(
  node: NodeRecord,
  preferredTypes: readonly string[],
  defaultPort: number,
  useNodeStatusPort: boolean,
): KubeletTarget | undefined {
  const address = chooseNodeAddress(node, preferredTypes);
  if (address === undefined) return undefined;
  const port = useNodeStatusPort && node.kubeletPort > 0 ? node.kubeletPort : defaultPort;
  const host = isIP(address.address) === 6 ? `[${address.address}]` : address.address;
  return { address, port, authority: `${host}:${port}` };
}

/**
 * Every target worth trying for a node, in preference order: each address of each preferred type,
 * in the order the node lists them, without repeats (a node may report one IP as two types). The
 * scraper starts with the first and falls through to the next when an address cannot be reached.
 */
export function kubeletTargets(
  node: NodeRecord,
  preferredTypes: readonly string[],
  defaultPort: number,
  useNodeStatusPort: boolean,
): KubeletTarget[] {
  const port = useNodeStatusPort && node.kubeletPort > 0 ? node.kubeletPort : defaultPort;
  const targets: KubeletTarget[] = [];
  for (const type of preferredTypes) {
    for (const address of node.addresses) {
      if (address.type !== type) continue;
      const host = isIP(address.address) === 6 ? `[${address.address}]` : address.address;
      const authority = `${host}:${port}`;
      if (targets.some((t) => t.authority === authority)) continue;
      targets.push({ address, port, authority });
    }
  }
  return targets;
}
