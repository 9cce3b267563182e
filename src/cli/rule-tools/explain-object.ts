/**
 * `metrics-adapter explain pod NAMESPACE/NAME` and `explain node NAME`: why a pod or node is (not)
 * in `kubectl top`. The causes are the running adapter's live state (its scraper's per-node
 * failures and schedule, the points it holds, the resourceRules it uses), which no one-shot look
 * could see, so the command asks the adapter's `/debug/explain?pod=…|node=…` (--adapter-url, e.g.
 * after `kubectl port-forward`) with the credentials of --kubeconfig, as any client of the
 * adapter, behind the same authorization, and prints the answer as text or JSON.
 */
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';
import { boolFlag, FlagError, stringFlag, type ParsedCommandLine } from '../../config/flags.js';
import { optionalFile } from '../../config/serve-options.js';
import { errorMessage } from '../../errors.js';
import { KubeApiError, KubeClient, loadKubeConfig } from '../../kube/index.js';
import { renderResourceExplanationText, type ResourceExplanation } from '../../explain/index.js';
import { EXIT } from './commands.js';

export type ExplainedKind = 'pod' | 'node';

function target(
  kind: ExplainedKind,
  arg: string | undefined,
  extra: string | undefined,
): Record<string, string> {
  const usage = kind === 'pod' ? 'explain pod NAMESPACE/NAME' : 'explain node NAME';
  if (arg === undefined) throw new FlagError(kind, `${usage}: the ${kind} is missing`);
  if (extra !== undefined) throw new FlagError(extra, `${usage} takes one ${kind} (got also "${extra}")`);
  if (kind === 'pod') {
    const parts = arg.split('/');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      throw new FlagError(kind, `${usage}: give the pod as NAMESPACE/NAME (got "${arg}")`);
    return { pod: arg };
  }
  if (arg.includes('/')) throw new FlagError(kind, `${usage}: a node name has no "/" (got "${arg}")`);
  return { node: arg };
}

/**
 * A client for the adapter: its URL and CA, the kubeconfig's user (or none). Without
 * --adapter-url the kubeconfig's own server is asked, with the kubeconfig's TLS settings: that is
 * the adapter itself where the kubeconfig points at it (the demo's); a kube-apiserver answers 404.
 * With an --adapter-url of the kubeconfig's server, its TLS settings apply too, unless the
 * --adapter-* TLS flags are given.
 */
function adapterClient(
  parsed: ParsedCommandLine,
  url: string,
): { client: KubeClient; viaKubeconfig: boolean } {
  const kubeconfig = optionalFile(parsed.values, 'kubeconfig');
  let user: User | null = null;
  let own: Cluster | null = null;
  if (kubeconfig !== undefined) {
    try {
      const kc = loadKubeConfig(kubeconfig);
      user = kc.getCurrentUser();
      own = kc.getCurrentCluster();
    } catch (err) {
      throw new FlagError('--kubeconfig', `--kubeconfig: ${errorMessage(err)}`);
    }
  }
  const viaKubeconfig = url === '';
  if (viaKubeconfig && own === null)
    throw new FlagError(
      '--adapter-url',
      'explain pod|node asks a running adapter: give --adapter-url https://HOST:PORT (e.g. after kubectl -n NAMESPACE port-forward deploy/metrics-adapter 6443) and --kubeconfig for the credentials',
    );
  const target = viaKubeconfig ? (own?.server ?? '') : url;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(target);
  } catch {
    throw new FlagError('--adapter-url', `--adapter-url: not a URL: "${target}"`);
  }
  if (parsedUrl.protocol !== 'https:')
    throw new FlagError('--adapter-url', `--adapter-url: the adapter serves https only (got "${target}")`);
  const tlsFlags =
    parsed.given.has('adapter-ca-file') || parsed.given.has('adapter-insecure-skip-tls-verify');
  const sameServer = own !== null && safeOrigin(own.server) === parsedUrl.origin;
  const cluster: Cluster =
    sameServer && !tlsFlags && own !== null
      ? { ...own, name: 'metrics-adapter', server: parsedUrl.origin }
      : {
          name: 'metrics-adapter',
          server: parsedUrl.origin,
          caFile: optionalFile(parsed.values, 'adapter-ca-file'),
          skipTLSVerify: boolFlag(parsed.values, 'adapter-insecure-skip-tls-verify'),
        };
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(cluster, user ?? { name: 'anonymous' });
  return { client: new KubeClient(kc, 30_000), viaKubeconfig };
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export async function explainObjectCommand(parsed: ParsedCommandLine, kind: ExplainedKind): Promise<number> {
  const [, arg, extra] = parsed.positionals;
  const query = target(kind, arg, extra);
  const url = stringFlag(parsed.values, 'adapter-url');
  const { client, viaKubeconfig } = adapterClient(parsed, url);
  let e: ResourceExplanation;
  try {
    e = await client.requestJSON<ResourceExplanation>('GET', '/debug/explain', { query });
  } catch (err) {
    const problem =
      err instanceof KubeApiError
        ? `the adapter answered ${err.statusCode}: ${err.message}${
            err.statusCode === 401 || err.statusCode === 403
              ? ' (give --kubeconfig with credentials the adapter accepts and that may get the non-resource URL /debug/explain)'
              : err.statusCode === 404
                ? viaKubeconfig
                  ? " (the kubeconfig's server is not the adapter: give --adapter-url https://HOST:PORT, e.g. after kubectl -n NAMESPACE port-forward deploy/metrics-adapter 6443)"
                  : ' (an adapter older than explain pod|node?)'
                : ''
          }`
        : `cannot reach the adapter at ${viaKubeconfig ? "the kubeconfig's server" : url}: ${errorMessage(err)}`;
    process.stderr.write(`metrics-adapter explain: ${problem}\n`);
    return err instanceof KubeApiError && err.statusCode === 400 ? EXIT.usage : EXIT.unreachable;
  } finally {
    client.close();
  }
  process.stdout.write(
    stringFlag(parsed.values, 'format') === 'json'
      ? `${JSON.stringify(e, null, 2)}\n`
      : renderResourceExplanationText(e),
  );
  return e.answeredBy === undefined ? EXIT.failed : EXIT.ok;
}
