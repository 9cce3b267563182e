/**
 * Rules from the cluster: watches the ClusterMetricRule and MetricRule objects of
 * metrics-adapter.io/v1alpha1, compiles each one on its own as it arrives (a bad object is its
 * errors alone), and hands the whole set to the composer about a second after the last change, so
 * a burst of edits is one rebuild. Whether to watch at all: `--rules-from-cluster` (auto: when API
 * discovery lists the group version at start; true: wait for it; false: never).
 */
import type { RulesFromCluster } from '../config/serve-options.js';
import { errorMessage } from '../errors.js';
import { Informer, type KubeClient, type ResourceMapper } from '../kube/index.js';
import type { Logger } from '../logging.js';
import type { RuleObjectEntry } from './merge-rules.js';
import type { RuleComposer } from './rule-composer.js';
import { formatObjectDiagnostic } from './rule-object-outcomes.js';
import { compileRuleObject, RULE_OBJECT_API_VERSION, RULE_OBJECT_GROUP } from './rule-objects.js';
import type { RuleObjectKind } from './rule-object-types.js';

const VERSION = RULE_OBJECT_API_VERSION.slice(RULE_OBJECT_GROUP.length + 1);
const COLLECTIONS: readonly { kind: RuleObjectKind; plural: string }[] = [
  { kind: 'ClusterMetricRule', plural: 'clustermetricrules' },
  { kind: 'MetricRule', plural: 'metricrules' },
];

export interface ClusterRulesOptions {
  mode: RulesFromCluster;
  /** Undefined without a cluster (then rule objects are not used). */
  client: KubeClient | undefined;
  mapper: ResourceMapper;
  composer: RuleComposer;
  logger: Logger;
  /** Quiet time after a change before the rules are rebuilt; default 1 s. */
  debounceMs?: number;
  /** With --rules-from-cluster=true, how often a missing API is looked for again; default 10 s. */
  retryMs?: number;
  onWatchFailure?: (resource: string, reason: 'expired' | 'error') => void;
}

interface GroupList {
  groups?: { name?: string; versions?: { groupVersion?: string }[] }[];
}

/** Compiles one object as the API returned it; never throws. */
export function ruleObjectEntry(
  kind: RuleObjectKind,
  obj: Record<string, unknown>,
  mapper: ResourceMapper,
): RuleObjectEntry {
  const result = compileRuleObject({ apiVersion: RULE_OBJECT_API_VERSION, kind, ...obj }, { mapper });
  const meta = (obj.metadata ?? {}) as {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
  };
  return {
    kind,
    namespace: kind === 'MetricRule' ? meta.namespace : undefined,
    name: meta.name ?? '',
    uid: meta.uid,
    generation: meta.generation,
    rules: result.rules,
    errors: result.diagnostics.filter((d) => d.severity === 'error').map(formatObjectDiagnostic),
  };
}

export class ClusterRules {
  private readonly informers: Informer<RuleObjectEntry>[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: ClusterRulesOptions) {}

  /** Looks for the API, then watches; resolves once the first decision is made. */
  async start(): Promise<void> {
    const { mode, client, logger } = this.o;
    if (mode === 'false') {
      logger.info('rule objects are not used: --rules-from-cluster=false');
      return;
    }
    if (client === undefined) {
      logger.info('rule objects are not used: there is no cluster to read them from');
      return;
    }
    await this.lookForApi(client);
  }

  private async lookForApi(client: KubeClient): Promise<void> {
    if (this.stopped) return;
    let listed = false;
    let failure: string | undefined;
    try {
      const body = await client.requestJSON<GroupList>('GET', '/apis');
      listed = (body.groups ?? []).some(
        (g) =>
          g.name === RULE_OBJECT_GROUP &&
          (g.versions ?? []).some((v) => v.groupVersion === RULE_OBJECT_API_VERSION),
      );
    } catch (err) {
      failure = errorMessage(err);
    }
    if (listed) {
      this.watch(client);
      return;
    }
    const why =
      failure === undefined
        ? `API discovery does not list ${RULE_OBJECT_API_VERSION} (its CRDs are not installed)`
        : `API discovery failed: ${failure}`;
    if (this.o.mode === 'auto') {
      this.o.logger.info(`rule objects are not used: ${why}; the rules file alone serves`);
      return;
    }
    this.o.logger.error(`--rules-from-cluster=true but ${why}; looking again`);
    this.retry = setTimeout(() => void this.lookForApi(client), this.o.retryMs ?? 10_000);
    this.retry.unref();
  }

  private watch(client: KubeClient): void {
    for (const { kind, plural } of COLLECTIONS) {
      const informer = new Informer<RuleObjectEntry>(
        client,
        {
          path: `/apis/${RULE_OBJECT_GROUP}/${VERSION}/${plural}`,
          transform: (obj) => ruleObjectEntry(kind, obj, this.o.mapper),
          onWatchFailure: this.o.onWatchFailure,
        },
        this.o.logger,
      );
      informer.onChange((_change, _key, current, previous) => {
        if (
          current?.rules === undefined &&
          current !== undefined &&
          current.generation !== previous?.generation
        )
          this.o.logger.warn(
            { kind, namespace: current.namespace, name: current.name, errors: current.errors },
            'rule object rejected; every other rule keeps serving',
          );
        if (this.synced) this.schedule();
      });
      this.informers.push(informer);
      informer.start();
    }
    this.o.logger.info({ apiVersion: RULE_OBJECT_API_VERSION }, 'watching rule objects');
    void this.firstSync();
  }

  /** The first complete listing of both kinds is handed over at once. */
  private async firstSync(): Promise<void> {
    while (!this.stopped && !this.synced) await Promise.all(this.informers.map((i) => i.waitForSync(60_000)));
    if (!this.stopped) this.flush();
  }

  private get synced(): boolean {
    return this.informers.length === COLLECTIONS.length && this.informers.every((i) => i.hasSynced);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.flush(), this.o.debounceMs ?? 1_000);
    this.debounce.unref();
  }

  private flush(): void {
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = undefined;
    void this.o.composer.setObjects(this.informers.flatMap((i) => i.list()));
  }

  stop(): void {
    this.stopped = true;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    if (this.retry !== undefined) clearTimeout(this.retry);
    for (const i of this.informers) i.stop();
  }
}
