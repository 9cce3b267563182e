/**
 * A simulated kubelet FLEET: node i listens for HTTPS on its own loopback address
 * 127.20.<i / 250>.<i % 250 + 1>, all on one port, and serves `/stats/summary` (stats/v1alpha1
 * JSON) and `/metrics/resource` (Prometheus text) from the same counters. Every container's CPU
 * counter advances at a known rate (`containerRate`), so a test can check rate arithmetic
 * exactly. Like a kubelet, whose stats come from cAdvisor's housekeeping (every 10 s, not on
 * every request), each node refreshes its stats every `housekeepingMs` (10 s by default), at its
 * own phase: between two refreshes a node answers the same body, stamped with the refresh time.
 * Refresh times are whole multiples of `sampleQuantumMs` (1 s by default, as the Summary API's
 * RFC 3339 timestamps carry whole seconds). Tests that want a new point every second pass
 * `housekeepingMs: 1000`.
 *
 * Per node, a test can inject slowness, hangs (headers never sent, or a body cut off midway), error
 * statuses, a refused connection, and a serving certificate with a wrong name or from an unknown CA.
 * The Node objects may report other addresses than the one a node listens on (`nodeAddresses`):
 * `refusedAddress(i)` (a loopback address nothing listens on) and `unresolvableName(name)` (under
 * `.invalid`, which never resolves) are addresses that cannot be reached. The serving certificate
 * may name no IP address at all (`certificate: 'dns-only'`, as kubelets' self-signed ones often
 * do), and one node can also answer on 127.0.0.1, so a Node object's `localhost` Hostname reaches it.
 * `nodeObjects()` / `podObjects()` give the matching Node and Pod objects for fake-kube.
 *
 * Differences from a real kubelet: no authorization beyond an optional bearer token, only the two
 * endpoints, the summary has no systemContainers/network/fs, and a connection is dispatched to
 * the node by the local address it arrived on.
 */
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCA, type CertificateAuthority } from './certs.js';
import type { KubeObject } from './kube-store.js';

export interface FleetOptions {
  nodes: number;
  /** Default 3. */
  podsPerNode?: number;
  /** Default 1. */
  containersPerPod?: number;
  /** Namespaces the pods are spread over (pod j goes to namespaces[j % n]); default ['default', 'team-a']. */
  namespaces?: string[];
  /** Default 1000. */
  sampleQuantumMs?: number;
  /**
   * How often a node's stats refresh (cAdvisor's housekeeping interval); default 10 000 ms. Each
   * node refreshes at its own phase, so a fleet does not refresh all at once.
   */
  housekeepingMs?: number;
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Put every node's address in the serving certificate (default: when nodes <= 1000). */
  certifyAddresses?: boolean;
  /** Index offset of the addresses, so two fleets can run at once; default 0. */
  addressOffset?: number;
  /**
   * The status.addresses of each Node object, in order; default InternalIP (the address the node
   * listens on) and Hostname (the node name, which does not resolve).
   */
  nodeAddresses?: (node: {
    index: number;
    name: string;
    address: string;
  }) => { type: string; address: string }[];
  /**
   * 'ip-sans' (default): the serving certificate names the nodes' addresses (see certifyAddresses);
   * 'dns-only': it names only `localhost`, so connections by IP fail with a name mismatch.
   */
  certificate?: 'ip-sans' | 'dns-only';
  /** This node also answers on 127.0.0.1 (for a Hostname address `localhost`). */
  localhostNode?: string;
}

/** A loopback address no fleet listens on: connections to it are refused. */
export function refusedAddress(index: number): string {
  return `127.21.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/** A host name that never resolves (RFC 6761 reserves .invalid). */
export function unresolvableName(name: string): string {
  return `${name}.invalid`;
}

export type NodeFault =
  | { kind: 'ok' }
  | { kind: 'slow'; delayMs: number }
  /** Accepts the request and never answers. */
  | { kind: 'hang-headers' }
  /** Sends the headers and part of the body, then nothing more. */
  | { kind: 'hang-body' }
  | { kind: 'status'; status: number }
  /** Stops listening: connections are refused. */
  | { kind: 'refuse' }
  | { kind: 'wrong-name' }
  | { kind: 'unknown-ca' }
  /**
   * The node's stats stop refreshing (cAdvisor stalled): it keeps answering the stats of its last
   * refresh before the fault, so every container keeps the point it has; a pod added since shows
   * with one point at that time and never gets a second.
   */
  | { kind: 'frozen' };

interface Container {
  name: string;
  /** Nanocores; a multiple of 1000, so counters are whole nanoseconds at whole milliseconds. */
  rate: number;
  memory: number;
  startMs: number;
  /** When the counter was last zero. */
  zeroMs: number;
  /**
   * When addPod put it on the node (undefined for the fleet's own pods). cAdvisor computes
   * usageNanoCores from two housekeeping samples, so the Summary API leaves the field out of a
   * container's answers until a refresh one housekeeping interval after it appeared.
   */
  addedMs?: number;
}

interface Pod {
  namespace: string;
  name: string;
  uid: string;
  containers: Container[];
}

interface FleetNode {
  index: number;
  name: string;
  address: string;
  startMs: number;
  rate: number;
  memory: number;
  pods: Pod[];
  fault: NodeFault;
  listener: net.Server | undefined;
  requests: number;
  /** Offset of this node's refreshes within the housekeeping interval. */
  phaseMs: number;
  /** The refresh time the stats stay at while the fault is 'frozen'. */
  frozenAt: number;
  /** The last body rendered, reused until the next refresh (or a change made by the test). */
  cached: { endpoint: 'summary' | 'resource'; t: number; body: string } | undefined;
}

export interface FakeKubeletFleet {
  readonly port: number;
  /** CA of the fleet's serving certificate. */
  readonly caPem: string;
  readonly ca: CertificateAuthority;
  readonly nodeNames: readonly string[];
  addressOf(node: string): string;
  /** Node objects (status.addresses InternalIP + Hostname, daemonEndpoints port) for fake-kube. */
  nodeObjects(): KubeObject[];
  /** Pod objects (Running, spec.nodeName, spec.containers) for fake-kube. */
  podObjects(): KubeObject[];
  /** The rate (nanocores) the node's counter advances at. */
  nodeRate(node: string): number;
  nodeMemory(node: string): number;
  /** The rate of a container, keyed by namespace/pod/container. */
  containerRate(namespace: string, pod: string, container: string): number;
  containerMemory(namespace: string, pod: string, container: string): number;
  /** Every pod served: namespace, name, node, container names. */
  pods(): { namespace: string; name: string; node: string; containers: string[] }[];
  /**
   * A pod starts on a node now (its containers at the fleet's usual rates); shown from the next
   * answer. With `startedMsAgo`, its containers started that long ago instead (start time and zero
   * of the counter), as a pod the adapter first sees some time after it started.
   */
  addPod(
    node: string,
    pod: { namespace: string; name: string; containers: string[]; startedMsAgo?: number },
  ): void;
  /** The pod is gone from its node; returns false when there was no such pod. */
  removePod(namespace: string, name: string): boolean;
  setFault(node: string, fault: NodeFault): Promise<void>;
  /** Stops or resumes answering on 127.0.0.1 (see FleetOptions.localhostNode); stopping drops its connections. */
  setLocalhostListening(on: boolean): Promise<void>;
  /** The container starts again now: new start time, counter from zero. */
  restartContainer(namespace: string, pod: string, container: string): void;
  /** The counter goes back to zero without a new start time (a runtime that lost its cgroup). */
  resetCounter(namespace: string, pod: string, container: string): void;
  setContainerRate(namespace: string, pod: string, container: string, rate: number): void;
  requestCount(node: string): number;
  /** TCP connections accepted so far, still open now, and TLS handshakes that resumed a session. */
  connectionStats(): { accepted: number; open: number; resumed: number };
  /** Body of one endpoint for one node, as served now (for decoder tests). */
  render(node: string, endpoint: 'summary' | 'resource', atMs?: number): string;
  close(): Promise<void>;
}

export function fleetAddress(index: number): string {
  return `127.20.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/** Go's RFC 3339 at whole seconds, as metav1.Time marshals. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64), which the Prometheus text format uses: shortest digits, exponent from 1e6 on. */
export function promFloat(v: number): string {
  if (v === 0) return '0';
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mant}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export async function startKubeletFleet(opts: FleetOptions): Promise<FakeKubeletFleet> {
  const count = opts.nodes;
  if (!(count >= 1 && count <= 60_000)) throw new Error('startKubeletFleet: nodes must be 1..60000');
  const podsPerNode = opts.podsPerNode ?? 3;
  const containersPerPod = opts.containersPerPod ?? 1;
  const namespaces = opts.namespaces ?? ['default', 'team-a'];
  const quantum = opts.sampleQuantumMs ?? 1000;
  const housekeeping = opts.housekeepingMs ?? 10_000;
  const offset = opts.addressOffset ?? 0;
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

  const nodes: FleetNode[] = [];
  const byName = new Map<string, FleetNode>();
  const byAddress = new Map<string, FleetNode>();
  const containers = new Map<string, Container>();
  /** "namespace/pod" → the node it runs on. */
  const podNodes = new Map<string, FleetNode>();
  for (let i = 0; i < count; i++) {
    const name = `node-${i}`;
    const pods: Pod[] = [];
    let sum = 0;
    let mem = 0;
    for (let j = 0; j < podsPerNode; j++) {
      const namespace = namespaces[j % namespaces.length]!;
      const podName = `${name}-pod-${j}`;
      const cs: Container[] = [];
      for (let k = 0; k < containersPerPod; k++) {
        const c: Container = {
          name: `c${k}`,
          rate: ((i % 97) + 1) * 1_000_000 + j * 10_000 + k * 1_000,
          memory: 8 * 1024 * 1024 + i * 4096 + j * 512 + k * 8,
          startMs: t0 + j * 1000,
          zeroMs: t0 + j * 1000,
        };
        cs.push(c);
        containers.set(`${namespace}/${podName}/${c.name}`, c);
        sum += c.rate;
        mem += c.memory;
      }
      pods.push({ namespace, name: podName, uid: `uid-${i}-${j}`, containers: cs });
    }
    const node: FleetNode = {
      index: i,
      name,
      address: fleetAddress(i + offset),
      startMs: t0 - 60_000,
      rate: sum + 100_000_000,
      memory: mem + 512 * 1024 * 1024,
      pods,
      fault: { kind: 'ok' },
      listener: undefined,
      requests: 0,
      // Spread over the interval (a prime stride), on whole quanta so rates stay exact.
      phaseMs:
        housekeeping > quantum && quantum > 0
          ? Math.floor(((i * 7919 * quantum) % housekeeping) / quantum) * quantum
          : 0,
      frozenAt: 0,
      cached: undefined,
    };
    nodes.push(node);
    for (const p of pods) podNodes.set(`${p.namespace}/${p.name}`, node);
    byName.set(name, node);
    byAddress.set(node.address, node);
  }

  const ca = await createCA('fake-kubelet-ca');
  const certify = opts.certifyAddresses ?? count <= 1000;
  const good = await ca.issue({
    commonName: 'kubelet',
    usage: 'server',
    ipAddresses: opts.certificate === 'dns-only' ? [] : certify ? nodes.map((n) => n.address) : ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const localhostNode = opts.localhostNode === undefined ? undefined : byName.get(opts.localhostNode);
  if (opts.localhostNode !== undefined && localhostNode === undefined)
    throw new Error(`startKubeletFleet: no node ${opts.localhostNode}`);
  if (localhostNode !== undefined) byAddress.set('127.0.0.1', localhostNode);
  let localhostListener: net.Server | undefined;
  const wrongName = await ca.issue({
    commonName: 'kubelet',
    usage: 'server',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['not-this-node.example'],
  });
  const otherCA = await createCA('some-other-ca');
  const unknown = await otherCA.issue({
    commonName: 'kubelet',
    usage: 'server',
    ipAddresses: nodes.slice(0, 1000).map((n) => n.address),
  });

  const sampleTime = (atMs: number): number => (quantum > 0 ? Math.floor(atMs / quantum) * quantum : atMs);
  /** The node's last refresh at or before atMs. */
  const refreshTime = (n: FleetNode, atMs: number): number => {
    if (n.fault.kind === 'frozen') return n.frozenAt;
    if (housekeeping <= quantum) return sampleTime(atMs);
    return Math.floor((atMs - n.phaseMs) / housekeeping) * housekeeping + n.phaseMs;
  };
  /** The body a node serves at atMs: rendered once per refresh. */
  const answer = (n: FleetNode, endpoint: 'summary' | 'resource', atMs: number): string => {
    const t = refreshTime(n, atMs);
    const c = n.cached;
    if (c !== undefined && c.endpoint === endpoint && c.t === t) return c.body;
    const body = endpoint === 'summary' ? renderSummary(n, t) : renderResource(n, t);
    n.cached = { endpoint, t, body };
    return body;
  };
  const cpuNs = (rate: number, since: number, t: number): number => (rate * Math.max(0, t - since)) / 1000;

  const renderSummary = (n: FleetNode, t: number): string => {
    const ts = rfc3339(t);
    const parts: string[] = [];
    for (const p of n.pods) {
      const cs: string[] = [];
      let podCpu = 0;
      let podMem = 0;
      let podRate = 0;
      for (const c of p.containers) {
        const used = cpuNs(c.rate, c.zeroMs, t);
        podCpu += used;
        podMem += c.memory;
        podRate += c.rate;
        const rate =
          c.addedMs === undefined || t >= c.addedMs + housekeeping ? `"usageNanoCores":${c.rate},` : '';
        cs.push(
          `{"name":${JSON.stringify(c.name)},"startTime":"${rfc3339(c.startMs)}","cpu":{"time":"${ts}",${rate}"usageCoreNanoSeconds":${used}},"memory":{"time":"${ts}","usageBytes":${c.memory + 4096},"workingSetBytes":${c.memory},"rssBytes":${c.memory - 4096},"pageFaults":0,"majorPageFaults":0}}`,
        );
      }
      parts.push(
        `{"podRef":{"name":${JSON.stringify(p.name)},"namespace":${JSON.stringify(p.namespace)},"uid":"${p.uid}"},"startTime":"${rfc3339(p.containers[0]?.startMs ?? t0)}","containers":[${cs.join(',')}],"cpu":{"time":"${ts}","usageNanoCores":${podRate},"usageCoreNanoSeconds":${podCpu}},"memory":{"time":"${ts}","usageBytes":${podMem},"workingSetBytes":${podMem},"rssBytes":${podMem},"pageFaults":0,"majorPageFaults":0}}`,
      );
    }
    const nodeCpu = cpuNs(n.rate, n.startMs, t);
    return `{"node":{"nodeName":${JSON.stringify(n.name)},"startTime":"${rfc3339(n.startMs)}","cpu":{"time":"${ts}","usageNanoCores":${n.rate},"usageCoreNanoSeconds":${nodeCpu}},"memory":{"time":"${ts}","availableBytes":${8 * 1024 ** 3 - n.memory},"usageBytes":${n.memory + 65536},"workingSetBytes":${n.memory},"rssBytes":${n.memory},"pageFaults":0,"majorPageFaults":0}},"pods":[${parts.join(',')}]}`;
  };

  const renderResource = (n: FleetNode, t: number): string => {
    const cpu: string[] = [];
    const mem: string[] = [];
    const start: string[] = [];
    const podCpu: string[] = [];
    const podMem: string[] = [];
    for (const p of n.pods) {
      let pc = 0;
      let pm = 0;
      for (const c of p.containers) {
        const labels = `{container="${escapeLabel(c.name)}",namespace="${escapeLabel(p.namespace)}",pod="${escapeLabel(p.name)}"}`;
        const used = cpuNs(c.rate, c.zeroMs, t);
        pc += used;
        pm += c.memory;
        cpu.push(`container_cpu_usage_seconds_total${labels} ${promFloat(used / 1e9)} ${t}`);
        mem.push(`container_memory_working_set_bytes${labels} ${promFloat(c.memory)} ${t}`);
        start.push(`container_start_time_seconds${labels} ${promFloat(c.startMs / 1000)} ${t}`);
      }
      const pl = `{namespace="${escapeLabel(p.namespace)}",pod="${escapeLabel(p.name)}"}`;
      podCpu.push(`pod_cpu_usage_seconds_total${pl} ${promFloat(pc / 1e9)} ${t}`);
      podMem.push(`pod_memory_working_set_bytes${pl} ${promFloat(pm)} ${t}`);
    }
    return [
      '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
      '# TYPE container_cpu_usage_seconds_total counter',
      ...cpu,
      '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
      '# TYPE container_memory_working_set_bytes gauge',
      ...mem,
      '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
      '# TYPE container_start_time_seconds gauge',
      ...start,
      '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
      '# TYPE node_cpu_usage_seconds_total counter',
      `node_cpu_usage_seconds_total ${promFloat(cpuNs(n.rate, n.startMs, t) / 1e9)} ${t}`,
      '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
      '# TYPE node_memory_working_set_bytes gauge',
      `node_memory_working_set_bytes ${promFloat(n.memory)} ${t}`,
      '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
      '# TYPE pod_cpu_usage_seconds_total counter',
      ...podCpu,
      '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
      '# TYPE pod_memory_working_set_bytes gauge',
      ...podMem,
      '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
      '# TYPE resource_scrape_error gauge',
      'resource_scrape_error 0',
      '',
    ].join('\n');
  };

  const hung = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<net.Socket>();

  /** TLS connections that carried a request (the ones a client may reuse). */
  const served = new Set<net.Socket>();
  const busy = new WeakSet<net.Socket>();
  const closeAfterAnswer = new WeakSet<net.Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const conn = req.socket;
    if (!served.has(conn)) {
      served.add(conn);
      conn.once('close', () => served.delete(conn));
    }
    busy.add(conn);
    res.on('close', () => {
      busy.delete(conn);
      if (closeAfterAnswer.has(conn)) conn.destroy();
    });
    const local = req.socket.localAddress?.replace(/^::ffff:/, '') ?? '';
    const node = byAddress.get(local);
    if (node === undefined) {
      res.writeHead(404).end('no such node\n');
      return;
    }
    node.requests++;
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized');
      return;
    }
    const fault = node.fault;
    if (fault.kind === 'status') {
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end(`injected ${fault.status}\n`);
      return;
    }
    if (fault.kind === 'hang-headers') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    let body: string;
    let type: string;
    if (url.pathname === '/stats/summary') {
      body = answer(node, 'summary', Date.now());
      type = 'application/json';
    } else if (url.pathname === '/metrics/resource') {
      body = answer(node, 'resource', Date.now());
      type = 'text/plain; version=0.0.4; charset=utf-8';
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const send = (): void => {
      if (res.destroyed) return;
      if (fault.kind === 'hang-body') {
        res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
        res.write(body.slice(0, Math.floor(body.length / 2)));
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
    };
    if (fault.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, fault.delayMs);
      timers.add(timer);
    } else send();
  };

  const serverOptions = (cert: { certPem: string; keyPem: string }): https.ServerOptions => ({
    cert: cert.certPem,
    key: cert.keyPem,
    keepAlive: true,
    keepAliveTimeout: 120_000,
  });
  const servers = {
    good: https.createServer(serverOptions(good), handler),
    wrongName: https.createServer(serverOptions(wrongName), handler),
    unknownCA: https.createServer(serverOptions(unknown), handler),
  };
  for (const s of Object.values(servers)) s.on('tlsClientError', () => undefined);
  let accepted = 0;
  let resumed = 0;
  servers.good.on('secureConnection', (socket: tls.TLSSocket) => {
    if (socket.isSessionReused()) resumed++;
  });

  const dispatch = (node: FleetNode, socket: net.Socket): void => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const server =
      node.fault.kind === 'wrong-name'
        ? servers.wrongName
        : node.fault.kind === 'unknown-ca'
          ? servers.unknownCA
          : servers.good;
    server.emit('connection', socket);
  };

  const listen = (node: FleetNode, port: number, host = node.address): Promise<number> =>
    new Promise((resolve, reject) => {
      const l = net.createServer({ noDelay: true }, (socket) => dispatch(node, socket));
      l.once('error', reject);
      l.listen({ host, port, backlog: 511 }, () => {
        l.off('error', reject);
        if (host === node.address) node.listener = l;
        else localhostListener = l;
        resolve((l.address() as net.AddressInfo).port);
      });
    });
  const closeLocalhost = (): Promise<void> =>
    new Promise((resolve) => {
      const l = localhostListener;
      localhostListener = undefined;
      if (l === undefined) resolve();
      else l.close(() => resolve());
    });

  /** Stops accepting and drops the node's open connections (close() alone waits for them). */
  const closeListener = (node: FleetNode): Promise<void> =>
    new Promise((resolve) => {
      const l = node.listener;
      node.listener = undefined;
      if (l === undefined) resolve();
      else l.close(() => resolve());
      for (const s of [...sockets]) if (s.localAddress === node.address) s.destroy();
    });

  /**
   * Stops accepting new connections, as a kubelet that went away: idle kept-alive connections close
   * now, a request in flight gets its answer first, and a TLS handshake in progress ends as it would
   * have. (Destroying those too made one scrape see a reset before the refusals.)
   */
  const stopAccepting = (node: FleetNode): void => {
    const l = node.listener;
    node.listener = undefined;
    l?.close(() => undefined);
    for (const s of [...served]) {
      if (s.localAddress !== node.address) continue;
      if (busy.has(s)) closeAfterAnswer.add(s);
      else s.destroy();
    }
  };

  let port = 0;
  for (let attempt = 0; attempt < 5 && port === 0; attempt++) {
    const first = nodes[0]!;
    const chosen = await listen(first, 0);
    try {
      for (let i = 1; i < nodes.length; i += 200) {
        await Promise.all(nodes.slice(i, i + 200).map((n) => listen(n, chosen)));
      }
      if (localhostNode !== undefined) await listen(localhostNode, chosen, '127.0.0.1');
      port = chosen;
    } catch {
      await Promise.all(nodes.map(closeListener));
      await closeLocalhost();
    }
  }
  if (port === 0) throw new Error('startKubeletFleet: no port free on every fleet address');

  const node = (name: string): FleetNode => {
    const n = byName.get(name);
    if (n === undefined) throw new Error(`fake kubelet fleet: no node ${name}`);
    return n;
  };
  /** A container to change: its node's cached answer is dropped, so the change shows at once. */
  const container = (namespace: string, pod: string, name: string): Container => {
    const c = containers.get(`${namespace}/${pod}/${name}`);
    if (c === undefined) throw new Error(`fake kubelet fleet: no container ${namespace}/${pod}/${name}`);
    const n = podNodes.get(`${namespace}/${pod}`);
    if (n !== undefined) n.cached = undefined;
    return c;
  };
  const created = new Date(t0).toISOString().replace('.000Z', 'Z');

  return {
    port,
    caPem: ca.certPem,
    ca,
    nodeNames: nodes.map((n) => n.name),
    addressOf: (name) => node(name).address,
    nodeObjects: () =>
      nodes.map((n) => ({
        metadata: {
          name: n.name,
          uid: `node-uid-${n.index}`,
          creationTimestamp: created,
          labels: {
            'kubernetes.io/hostname': n.name,
            'kubernetes.io/os': 'linux',
            'topology.kubernetes.io/zone': `zone-${n.index % 3}`,
          },
        },
        spec: { podCIDR: `10.${n.index >> 8}.${n.index & 255}.0/24` },
        status: {
          addresses: opts.nodeAddresses?.({ index: n.index, name: n.name, address: n.address }) ?? [
            { type: 'InternalIP', address: n.address },
            { type: 'Hostname', address: n.name },
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: port } },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        },
      })),
    podObjects: () =>
      nodes.flatMap((n) =>
        n.pods.map((p) => ({
          metadata: {
            name: p.name,
            namespace: p.namespace,
            uid: p.uid,
            creationTimestamp: created,
            labels: { app: p.name.replace(/-\d+$/, ''), node: n.name },
          },
          spec: {
            nodeName: n.name,
            containers: p.containers.map((c) => ({ name: c.name, image: 'registry.k8s.io/pause:3.10' })),
          },
          status: { phase: 'Running', startTime: created },
        })),
      ),
    nodeRate: (name) => node(name).rate,
    nodeMemory: (name) => node(name).memory,
    containerRate: (ns, pod, c) => container(ns, pod, c).rate,
    containerMemory: (ns, pod, c) => container(ns, pod, c).memory,
    pods: () =>
      nodes.flatMap((n) =>
        n.pods.map((p) => ({
          namespace: p.namespace,
          name: p.name,
          node: n.name,
          containers: p.containers.map((c) => c.name),
        })),
      ),
    addPod(nodeName, p) {
      const n = node(nodeName);
      const key = `${p.namespace}/${p.name}`;
      if (podNodes.has(key)) throw new Error(`fake kubelet fleet: pod ${key} exists`);
      const now = sampleTime(Date.now() - Math.max(0, p.startedMsAgo ?? 0));
      const cs: Container[] = p.containers.map((name, k) => ({
        name,
        rate: ((n.index % 97) + 1) * 1_000_000 + k * 1_000,
        memory: 8 * 1024 * 1024 + n.index * 4096 + k * 8,
        startMs: now,
        zeroMs: now,
        addedMs: Date.now(),
      }));
      // The node's own counter keeps its rate: it stays continuous whatever pods come and go.
      for (const c of cs) containers.set(`${key}/${c.name}`, c);
      n.pods.push({
        namespace: p.namespace,
        name: p.name,
        uid: `uid-${p.namespace}-${p.name}`,
        containers: cs,
      });
      podNodes.set(key, n);
      n.cached = undefined;
    },
    removePod(namespace, name) {
      const key = `${namespace}/${name}`;
      const n = podNodes.get(key);
      if (n === undefined) return false;
      podNodes.delete(key);
      const at = n.pods.findIndex((p) => p.namespace === namespace && p.name === name);
      const [pod] = n.pods.splice(at, 1);
      for (const c of pod?.containers ?? []) containers.delete(`${key}/${c.name}`);
      n.cached = undefined;
      return true;
    },
    async setFault(name, fault) {
      const n = node(name);
      const was = n.fault;
      if (fault.kind === 'frozen' && was.kind !== 'frozen') n.frozenAt = refreshTime(n, Date.now());
      n.fault = fault;
      if (fault.kind === 'refuse' && n.listener !== undefined) stopAccepting(n);
      if (fault.kind !== 'refuse' && n.listener === undefined) await listen(n, port);
      // A new certificate applies to new connections only: drop the node's open ones.
      const certOf = (f: NodeFault): string =>
        f.kind === 'wrong-name' || f.kind === 'unknown-ca' ? f.kind : 'good';
      // Idle kept-alive connections close now, busy ones after their answer; connections to a bad
      // certificate never get that far, so a switch back to the good one needs nothing.
      if (certOf(was) !== certOf(fault) && certOf(fault) !== 'good') {
        for (const s of [...served]) {
          if (s.localAddress !== n.address) continue;
          if (busy.has(s)) closeAfterAnswer.add(s);
          else s.destroy();
        }
      }
    },
    async setLocalhostListening(on) {
      if (localhostNode === undefined) throw new Error('fake kubelet fleet: no localhostNode');
      if (!on) {
        const closing = closeLocalhost();
        for (const s of [...sockets]) if (s.localAddress === '127.0.0.1') s.destroy();
        await closing;
      } else if (localhostListener === undefined) await listen(localhostNode, port, '127.0.0.1');
    },
    restartContainer(ns, pod, c) {
      const x = container(ns, pod, c);
      x.startMs = sampleTime(Date.now());
      x.zeroMs = x.startMs;
    },
    resetCounter(ns, pod, c) {
      container(ns, pod, c).zeroMs = sampleTime(Date.now());
    },
    setContainerRate(ns, pod, c, rate) {
      const x = container(ns, pod, c);
      const t = sampleTime(Date.now());
      // Keep the counter continuous: re-anchor so the counter at t is unchanged.
      const used = cpuNs(x.rate, x.zeroMs, t);
      x.rate = rate;
      x.zeroMs = t - (used * 1000) / rate;
    },
    requestCount: (name) => node(name).requests,
    connectionStats: () => ({ accepted, open: sockets.size, resumed }),
    render: (name, endpoint, atMs) => answer(node(name), endpoint, atMs ?? Date.now()),
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const r of hung) r.destroy();
      const closing = Promise.all([...nodes.map(closeListener), closeLocalhost()]);
      for (const s of sockets) s.destroy();
      await closing;
      for (const s of Object.values(servers)) s.closeAllConnections();
    },
  };
}
