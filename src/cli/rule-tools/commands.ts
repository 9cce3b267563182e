/**
 * The `check` and `explain` commands: flags to options, the connections they need (Prometheus,
 * optionally a cluster), output in text or JSON, and exit codes a CI job can act on.
 */
import { formatDiagnostic, readRulesFile } from '../../config/rules-file.js';
import {
  FlagError,
  listFlag,
  numberFlag,
  stringFlag,
  boolFlag,
  type ParsedCommandLine,
} from '../../config/flags.js';
import { buildPrometheusOptions, buildRulesOptions, optionalFile } from '../../config/serve-options.js';
import { errorMessage } from '../../errors.js';
import {
  BUILTIN_RESOURCES,
  DiscoveryResourceMapper,
  KubeClient,
  ResourceIndex,
  WatchingObjectLister,
  type ObjectLister,
  type ResourceMapper,
} from '../../kube/index.js';
import { createLogger, type Logger } from '../../logging.js';
import { connectPrometheus, redactUrl, type PrometheusConnection } from '../../prometheus/index.js';
import { compileRules, MetricDiscovery } from '../../rules/index.js';
import { SelfMetrics } from '../../self-metrics.js';
import { explainRequest, renderExplanationText, type ResourcesSource } from '../../explain/index.js';
import { checkRulesFile } from './check.js';
import { probePrometheus } from './prometheus-probe.js';
import { renderCheckText } from './text.js';

/** Exit codes of check and explain (documented in --help and docs/rule-tools.md). */
export const EXIT = {
  ok: 0,
  /** check: the rules file (or an object) has errors (or warnings with --strict). explain: the request fails. */
  failed: 1,
  /** Flags or arguments are wrong. */
  usage: 2,
  /** Prometheus (or the cluster named by --kubeconfig) cannot be reached. */
  unreachable: 3,
} as const;

interface Cluster {
  mapper: ResourceMapper;
  lister: ObjectLister | undefined;
  source: ResourcesSource;
  close(): void;
}

function toolLogger(parsed: ParsedCommandLine): Logger {
  return createLogger(parsed.given.has('log-level') ? stringFlag(parsed.values, 'log-level') : 'silent');
}

function requireConfig(parsed: ParsedCommandLine, command: string): string {
  const file = buildRulesOptions(parsed.values).configFile;
  if (file === undefined)
    throw new FlagError(
      '--config',
      command === 'check'
        ? 'check needs --config FILE (a rules file, or a file of ClusterMetricRule/MetricRule objects)'
        : `${command} needs --config FILE (the rules file)`,
    );
  return file;
}

function format(parsed: ParsedCommandLine): 'text' | 'json' {
  return stringFlag(parsed.values, 'format') === 'json' ? 'json' : 'text';
}

/** Without --kubeconfig: the built-in resource table, no lister. Never the in-cluster config. */
async function openCluster(parsed: ParsedCommandLine, logger: Logger): Promise<Cluster | string> {
  const kubeconfig = optionalFile(parsed.values, 'kubeconfig');
  if (kubeconfig === undefined)
    return {
      mapper: new ResourceIndex(BUILTIN_RESOURCES),
      lister: undefined,
      source: 'builtin',
      close: () => undefined,
    };
  let client: KubeClient;
  try {
    client = KubeClient.fromKubeconfig(kubeconfig);
  } catch (err) {
    throw new FlagError('--kubeconfig', `--kubeconfig: ${errorMessage(err)}`);
  }
  const mapper = new DiscoveryResourceMapper(client, logger);
  await mapper.refresh();
  if (!mapper.hasSynced) {
    client.close();
    return `cannot read the API discovery of the cluster in ${kubeconfig}`;
  }
  // A one-shot command lists directly instead of starting watches.
  const lister = new WatchingObjectLister(client, logger, { maxInformers: 0 });
  return { mapper, lister, source: 'cluster', close: () => client.close() };
}

function write(text: string): void {
  process.stdout.write(text);
}

export async function checkCommand(parsed: ParsedCommandLine): Promise<number> {
  if (parsed.positionals.length > 0)
    throw new FlagError(
      parsed.positionals[0] ?? '',
      `check takes no arguments (got "${parsed.positionals[0] ?? ''}")`,
    );
  const file = requireConfig(parsed, 'check');
  const rulesOptions = buildRulesOptions(parsed.values);
  const withPrometheus = parsed.given.has('prometheus-url');
  const promOptions = buildPrometheusOptions(parsed.values);
  const logger = toolLogger(parsed);
  const strict = boolFlag(parsed.values, 'strict');
  const cluster = await openCluster(parsed, logger);
  if (typeof cluster === 'string') {
    process.stderr.write(`metrics-adapter check: ${cluster}\n`);
    return EXIT.unreachable;
  }
  let connection: PrometheusConnection | undefined;
  try {
    if (withPrometheus)
      connection = await connectPrometheus(promOptions, new SelfMetrics({ processMetrics: false }), logger);
    const report = await checkRulesFile({
      file,
      prometheus: connection?.client,
      prometheusUrl: redactUrl(promOptions.url),
      mapper: cluster.mapper,
      resourcesFrom: cluster.source,
      maxAgeMs: rulesOptions.maxAgeMs,
    });
    write(format(parsed) === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderCheckText(report));
    if (report.prometheus !== undefined && !report.prometheus.reachable) {
      process.stderr.write(
        `metrics-adapter check: Prometheus is unreachable: ${report.prometheus.error ?? ''}\n`,
      );
      return EXIT.unreachable;
    }
    if (report.errors > 0 || (strict && report.warnings > 0)) return EXIT.failed;
    return EXIT.ok;
  } finally {
    connection?.close();
    cluster.close();
  }
}

export async function explainCommand(parsed: ParsedCommandLine): Promise<number> {
  const [path, extra] = parsed.positionals;
  if (path === undefined)
    throw new FlagError(
      'path',
      'explain needs the API path of a request, e.g. /apis/custom.metrics.k8s.io/v1beta2/namespaces/NS/pods/*/METRIC',
    );
  if (extra !== undefined) throw new FlagError(extra, `explain takes one API path (got also "${extra}")`);
  const file = requireConfig(parsed, 'explain');
  const rulesOptions = buildRulesOptions(parsed.values);
  const promOptions = buildPrometheusOptions(parsed.values);
  const objects = listFlag(parsed.values, 'objects').filter((o) => o !== '');
  const logger = toolLogger(parsed);

  const loaded = await readRulesFile(file);
  const compiled = compileRules(loaded.config, loaded.diagnostics);
  if (compiled.rules === undefined) {
    for (const d of compiled.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(
      'metrics-adapter explain: the rules file has errors (see above; `check` tells more)\n',
    );
    return EXIT.failed;
  }
  const metrics = new SelfMetrics({ processMetrics: false });
  const cluster = await openCluster(parsed, logger);
  if (typeof cluster === 'string') {
    process.stderr.write(`metrics-adapter explain: ${cluster}\n`);
    return EXIT.unreachable;
  }
  let connection: PrometheusConnection | undefined;
  try {
    connection = await connectPrometheus(promOptions, metrics, logger);
    try {
      await probePrometheus(connection.client);
    } catch (err) {
      process.stderr.write(`metrics-adapter explain: Prometheus is unreachable: ${errorMessage(err)}\n`);
      return EXIT.unreachable;
    }
    const discovery = new MetricDiscovery({
      prometheus: connection.client,
      mapper: cluster.mapper,
      logger,
      metrics,
      relistIntervalMs: rulesOptions.relistIntervalMs,
      maxAgeMs: rulesOptions.maxAgeMs,
    });
    await discovery.setRules(compiled.rules);
    const explanation = await explainRequest(path, {
      discovery,
      mapper: cluster.mapper,
      resourcesFrom: cluster.source,
      prometheus: connection.client,
      lister: cluster.lister,
      objects,
      limits: {
        maxQueryLength: numberFlag(parsed.values, 'max-query-length'),
        maxSelectedObjects: numberFlag(parsed.values, 'max-selected-objects'),
      },
    });
    write(
      format(parsed) === 'json'
        ? `${JSON.stringify(explanation, null, 2)}\n`
        : renderExplanationText(explanation),
    );
    const status = explanation.outcome.status;
    return status === undefined || (status >= 200 && status < 300) ? EXIT.ok : EXIT.failed;
  } finally {
    connection?.close();
    cluster.close();
  }
}
