/**
 * Cross-checks of a rendered set of manifests: the names, ports, labels, paths and flags that one
 * object takes from another must agree, or the set deploys but does not work. Shared by the tests
 * of the base, the component and the overlays.
 */
import assert from 'node:assert/strict';
import type { IAPIService } from 'kubernetes-models/apiregistration.k8s.io/v1/APIService';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { FLAG_SPECS, parseCommandLine } from '../../src/config/flags.js';
import { findObject, objectsOfKind, walk, type K8sObject } from './rendered.js';

export const ADAPTER = 'metrics-adapter';
export const PROMETHEUS_URL = 'http://prometheus-k8s.monitoring.svc:9090';
export const API_SERVICES = [
  'v1beta2.custom.metrics.k8s.io',
  'v1beta1.custom.metrics.k8s.io',
  'v1beta1.external.metrics.k8s.io',
  'v1beta1.metrics.k8s.io',
] as const;
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'APIService',
  'CustomResourceDefinition',
]);

export interface Expectations {
  /** Namespace and Service name the set is deployed with. */
  namespace: string;
  service: string;
  /** The metrics.k8s.io APIService and the kubelet scraper's permissions are included. */
  metricsK8sIo: boolean;
}

export interface Wiring {
  deployment: IDeployment & K8sObject;
  container: IContainer;
  service: IService & K8sObject;
  args: ReturnType<typeof parseCommandLine>;
  securePort: number;
  /** The Secret the serving-cert volume names. */
  servingSecretName: string;
}

/** The Deployment, its container, the Service, and how they connect. */
export function wiring(objects: readonly K8sObject[], exp: Expectations): Wiring {
  const deployment = findObject<IDeployment>(objects, 'Deployment', ADAPTER);
  const containers = deployment.spec?.template.spec?.containers ?? [];
  assert.equal(containers.length, 1, 'one container');
  const container = containers[0]!;
  const service = findObject<IService>(objects, 'Service', exp.service);
  const args = parseCommandLine(container.args ?? []);
  const securePort = args.values.get('secure-port');
  assert.equal(typeof securePort, 'number');
  const certVolume = (deployment.spec?.template.spec?.volumes ?? []).find((v) => v.secret !== undefined);
  assert.ok(certVolume?.secret?.secretName, 'a Secret volume for the serving certificate');
  return {
    deployment,
    container,
    service,
    args,
    securePort: securePort as number,
    servingSecretName: certVolume.secret.secretName,
  };
}

/** A container port given by name or number, as a number. */
function containerPort(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function subset(small: Record<string, string> | undefined, big: Record<string, string> | undefined): boolean {
  return Object.entries(small ?? {}).every(([k, v]) => big?.[k] === v);
}

export function ruleAllows(rule: IPolicyRule, verb: string, group: string, resource: string): boolean {
  const has = (list: string[] | undefined, x: string): boolean =>
    (list ?? []).includes(x) || (list ?? []).includes('*');
  return has(rule.verbs, verb) && has(rule.apiGroups, group) && has(rule.resources, resource);
}

/** The rules of a ClusterRole as the controller-manager would aggregate them. */
function effectiveRules(objects: readonly K8sObject[], role: IClusterRole & K8sObject): IPolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return role.rules ?? [];
  return objectsOfKind<IClusterRole>(objects, 'ClusterRole')
    .filter((r) => r !== role && selectors.some((s) => subset(s.matchLabels, r.metadata.labels)))
    .flatMap((r) => r.rules ?? []);
}

/** What a ServiceAccount may do cluster-wide, through the rendered ClusterRoleBindings. */
export function canClusterWide(
  objects: readonly K8sObject[],
  sa: { namespace: string; name: string },
  verb: string,
  group: string,
  resource: string,
): boolean {
  return objectsOfKind<IRoleBinding>(objects, 'ClusterRoleBinding')
    .filter((b) =>
      (b.subjects ?? []).some(
        (s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace,
      ),
    )
    .some((b) => {
      const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === b.roleRef.name);
      // Bootstrap roles (system:auth-delegator) are not rendered; they are checked by name.
      if (role === undefined) return false;
      return effectiveRules(objects, role as IClusterRole & K8sObject).some((r) =>
        ruleAllows(r, verb, group, resource),
      );
    });
}

export interface Check {
  name: string;
  run(objects: readonly K8sObject[], text: string, exp: Expectations): void;
}

/** Table of cross-checks every deployable render must pass. */
export const CHECKS: readonly Check[] = [
  {
    name: 'a Namespace holds every namespaced object, except the auth-reader RoleBinding in kube-system',
    run(objects, _text, exp) {
      findObject(objects, 'Namespace', exp.namespace);
      for (const o of objects) {
        const where = `${o.kind}/${o.metadata.name}`;
        if (CLUSTER_SCOPED.has(o.kind)) {
          assert.equal(o.metadata.namespace, undefined, `${where} is cluster-scoped`);
        } else if (o.kind === 'RoleBinding') {
          assert.equal(o.metadata.namespace, 'kube-system', where);
        } else {
          assert.equal(o.metadata.namespace, exp.namespace, where);
        }
      }
    },
  },
  {
    name: 'every container flag is in --help, has an effect, and parses',
    run(objects, _text, exp) {
      const { container } = wiring(objects, exp);
      const known = new Map(FLAG_SPECS.map((s) => [s.name, s]));
      for (const arg of container.args ?? []) {
        const m = /^--?([a-z0-9-]+)(=|$)/.exec(arg);
        assert.ok(m, `"${arg}" is a --flag=value argument`);
        const spec = known.get(m[1]!);
        assert.ok(spec, `--${m[1]} is a flag of metrics-adapter`);
        assert.notEqual(spec.compatOnly, true, `--${m[1]} is accepted but has no effect`);
      }
      assert.deepEqual(container.command, undefined, 'the image ENTRYPOINT starts the adapter');
    },
  },
  {
    name: 'Service port 443 → container port https = --secure-port',
    run(objects, _text, exp) {
      const { container, service, securePort } = wiring(objects, exp);
      const ports = service.spec?.ports ?? [];
      assert.equal(ports.length, 1);
      assert.equal(ports[0]!.port, 443);
      assert.equal(containerPort(container, ports[0]!.targetPort), securePort);
      assert.equal(securePort, 6443);
    },
  },
  {
    name: 'pod labels ⊇ Deployment selector = Service = PDB = NetworkPolicy = anti-affinity selector',
    run(objects, _text, exp) {
      const { deployment, service } = wiring(objects, exp);
      const selector = deployment.spec?.selector.matchLabels;
      assert.ok(selector && Object.keys(selector).length > 0, 'Deployment selector');
      assert.equal(deployment.spec?.selector.matchExpressions, undefined);
      assert.ok(subset(selector, deployment.spec?.template.metadata?.labels), 'selector ⊆ pod labels');
      assert.deepEqual(service.spec?.selector, selector, 'Service selector');
      const pdb = findObject<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', ADAPTER);
      assert.deepEqual(pdb.spec?.selector?.matchLabels, selector, 'PDB selector');
      const policies = objectsOfKind<INetworkPolicy>(objects, 'NetworkPolicy');
      assert.ok(policies.length > 0);
      for (const p of policies) assert.deepEqual(p.spec?.podSelector.matchLabels, selector, p.metadata.name);
      const terms =
        deployment.spec?.template.spec?.affinity?.podAntiAffinity
          ?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      assert.ok(terms.length > 0, 'pod anti-affinity');
      for (const t of terms) {
        assert.deepEqual(t.podAffinityTerm.labelSelector?.matchLabels, selector);
        assert.equal(t.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
      }
    },
  },
  {
    name: 'two replicas, and the PDB lets one go',
    run(objects, _text, exp) {
      const { deployment } = wiring(objects, exp);
      assert.equal(deployment.spec?.replicas, 2);
      const pdb = findObject<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', ADAPTER);
      assert.equal(pdb.spec?.minAvailable, 1);
    },
  },
  {
    name: 'every volumeMount has a volume; the ConfigMap holds --config; the cert files are in the Secret mount',
    run(objects, _text, exp) {
      const { deployment, container, args, servingSecretName } = wiring(objects, exp);
      const volumes = new Map((deployment.spec?.template.spec?.volumes ?? []).map((v) => [v.name, v]));
      const mounts = container.volumeMounts ?? [];
      for (const m of mounts) assert.ok(volumes.has(m.name), `volume ${m.name}`);
      for (const v of volumes.values()) {
        assert.ok(
          mounts.some((m) => m.name === v.name),
          `volume ${v.name} is mounted`,
        );
        if (v.configMap !== undefined) findObject(objects, 'ConfigMap', v.configMap.name ?? '');
      }
      const mountOf = (file: string): { volume: string; key: string } => {
        const m = mounts.find((x) => file.startsWith(`${x.mountPath}/`));
        assert.ok(m, `${file} is under a mount`);
        return { volume: m.name, key: file.slice(m.mountPath.length + 1) };
      };
      const config = mountOf(String(args.values.get('config')));
      const cmName = volumes.get(config.volume)?.configMap?.name ?? '';
      const cm = findObject<IConfigMap>(objects, 'ConfigMap', cmName);
      assert.ok(cm.data?.[config.key], `ConfigMap ${cmName} has ${config.key}`);
      for (const flag of ['tls-cert-file', 'tls-private-key-file']) {
        const f = mountOf(String(args.values.get(flag)));
        assert.equal(volumes.get(f.volume)?.secret?.secretName, servingSecretName, `--${flag}`);
        assert.ok(['tls.crt', 'tls.key'].includes(f.key), `--${flag} names a kubernetes.io/tls key`);
      }
      assert.equal(servingSecretName, 'metrics-adapter-serving-cert');
      const tmp = mounts.find((m) => m.mountPath === '/tmp');
      assert.ok(tmp && volumes.get(tmp.name)?.emptyDir !== undefined, '/tmp is an emptyDir');
    },
  },
  {
    name: 'probes: /livez and /readyz over HTTPS on the secure port',
    run(objects, _text, exp) {
      const { container, securePort } = wiring(objects, exp);
      for (const [probe, path] of [
        [container.livenessProbe, '/livez'],
        [container.readinessProbe, '/readyz'],
        [container.startupProbe, '/livez'],
      ] as const) {
        assert.equal(probe?.httpGet?.path, path);
        assert.equal(probe.httpGet.scheme, 'HTTPS');
        assert.equal(containerPort(container, probe.httpGet.port), securePort);
      }
    },
  },
  {
    name: 'locked-down container: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp, resources',
    run(objects, _text, exp) {
      const { deployment, container } = wiring(objects, exp);
      const sc = container.securityContext;
      assert.equal(sc?.runAsNonRoot, true);
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.deepEqual(sc.capabilities?.drop, ['ALL']);
      assert.equal(sc.capabilities.add, undefined);
      assert.equal(sc.seccompProfile?.type, 'RuntimeDefault');
      assert.ok((sc.runAsUser ?? 0) > 0, 'a non-root uid');
      const pod = deployment.spec?.template.spec?.securityContext;
      assert.equal(pod?.runAsNonRoot, true);
      assert.equal(pod.seccompProfile?.type, 'RuntimeDefault');
      assert.ok(container.resources?.requests?.cpu !== undefined && container.resources.requests.memory);
      assert.ok(container.resources.limits?.memory, 'a memory limit');
    },
  },
  {
    name: 'the same Prometheus URL as the docs, reachable through the NetworkPolicy',
    run(objects, _text, exp) {
      const { args } = wiring(objects, exp);
      const url = String(args.values.get('prometheus-url'));
      assert.equal(url, PROMETHEUS_URL);
      const { hostname, port } = new URL(url);
      const namespace = hostname.split('.')[1];
      const egress = objectsOfKind<INetworkPolicy>(objects, 'NetworkPolicy').flatMap(
        (p) => p.spec?.egress ?? [],
      );
      const rule = egress.find((r) => (r.ports ?? []).some((p) => p.port === Number(port)));
      assert.ok(rule, `egress to port ${port}`);
      assert.ok(
        (rule.to ?? []).some(
          (t) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === namespace,
        ),
        `egress to namespace ${namespace}`,
      );
    },
  },
  {
    name: 'NetworkPolicy: ingress to the secure port; egress to the kube API, DNS and (with metrics.k8s.io) kubelets',
    run(objects, _text, exp) {
      const { container, securePort } = wiring(objects, exp);
      const policies = objectsOfKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const ingress = policies.flatMap((p) => p.spec?.ingress ?? []);
      assert.ok(ingress.length > 0);
      for (const rule of ingress) {
        assert.deepEqual(
          (rule.ports ?? []).map((p) => containerPort(container, p.port)),
          [securePort],
          'ingress only to the secure port',
        );
      }
      for (const p of policies) {
        assert.ok(p.spec?.policyTypes?.includes('Egress'), `${p.metadata.name} restricts egress`);
      }
      const egressPorts = policies
        .flatMap((p) => p.spec?.egress ?? [])
        .flatMap((r) => (r.ports ?? []).map((p) => `${p.port}/${p.protocol}`));
      for (const want of ['443/TCP', '6443/TCP', '53/UDP', '53/TCP']) {
        assert.ok(egressPorts.includes(want), `egress ${want}`);
      }
      assert.equal(egressPorts.includes('10250/TCP'), exp.metricsK8sIo, 'egress to kubelets');
    },
  },
  {
    name: 'the APIServices name the Service, its namespace and port, and v1beta2 outranks v1beta1',
    run(objects, _text, exp) {
      const { service } = wiring(objects, exp);
      const expected = API_SERVICES.filter((n) => exp.metricsK8sIo || n !== 'v1beta1.metrics.k8s.io');
      const apiServices = objectsOfKind<IAPIService>(objects, 'APIService');
      assert.deepEqual(apiServices.map((a) => a.metadata.name).sort(), [...expected].sort());
      for (const a of apiServices) {
        const spec = a.spec;
        assert.ok(spec, a.metadata.name);
        assert.equal(a.metadata.name, `${spec.version}.${spec.group}`);
        assert.deepEqual(spec.service, {
          name: service.metadata.name,
          namespace: service.metadata.namespace,
          port: service.spec?.ports?.[0]?.port,
        });
        assert.ok(spec.groupPriorityMinimum > 0 && spec.versionPriority > 0);
      }
      const priority = (name: string): number =>
        findObject<IAPIService>(objects, 'APIService', name).spec?.versionPriority ?? 0;
      assert.ok(priority('v1beta2.custom.metrics.k8s.io') > priority('v1beta1.custom.metrics.k8s.io'));
    },
  },
  {
    name: 'no insecureSkipTLSVerify anywhere',
    run(objects, text) {
      assert.doesNotMatch(text, /insecureSkipTLSVerify/i);
      for (const o of objects) {
        for (const [path, key] of walk(o)) {
          assert.notEqual(key.toLowerCase(), 'insecureskiptlsverify', `${o.kind}/${o.metadata.name}${path}`);
        }
      }
    },
  },
  {
    name: 'RBAC: bindings name the Deployment’s ServiceAccount (or the HPA controller), with the permissions each needs',
    run(objects, _text, exp) {
      const { deployment } = wiring(objects, exp);
      const saName = deployment.spec?.template.spec?.serviceAccountName ?? '';
      findObject(objects, 'ServiceAccount', saName);
      const sa = { namespace: exp.namespace, name: saName };
      const hpa = { namespace: 'kube-system', name: 'horizontal-pod-autoscaler' };
      const bindings = [
        ...objectsOfKind<IRoleBinding>(objects, 'ClusterRoleBinding'),
        ...objectsOfKind<IRoleBinding>(objects, 'RoleBinding'),
      ];
      for (const b of bindings) {
        for (const s of b.subjects ?? []) {
          assert.equal(s.kind, 'ServiceAccount', b.metadata.name);
          assert.ok(
            (s.name === sa.name && s.namespace === sa.namespace) ||
              (s.name === hpa.name && s.namespace === hpa.namespace),
            `${b.metadata.name} binds ${s.namespace}/${s.name}`,
          );
        }
      }
      const bound = (kind: string, role: string): IRoleBinding | undefined =>
        bindings.find(
          (b) =>
            b.roleRef.kind === kind &&
            b.roleRef.name === role &&
            (b.subjects ?? []).some((s) => s.name === sa.name && s.namespace === sa.namespace),
        );
      assert.ok(bound('ClusterRole', 'system:auth-delegator'), 'system:auth-delegator');
      const reader = bound('Role', 'extension-apiserver-authentication-reader');
      assert.equal(reader?.metadata?.namespace, 'kube-system', 'extension-apiserver-authentication-reader');

      for (const [who, verbs, group, resource, allowed] of [
        [sa, ['get', 'list', 'watch'], '', 'pods', true],
        [sa, ['get', 'list', 'watch'], '', 'nodes', true],
        [sa, ['get', 'list', 'watch'], '', 'namespaces', true],
        [sa, ['get', 'list', 'watch'], '', 'services', true],
        [sa, ['get', 'list', 'watch'], 'apps', 'deployments', true],
        [sa, ['get', 'list', 'watch'], 'batch', 'jobs', true],
        [sa, ['get'], '', 'nodes/stats', exp.metricsK8sIo],
        [sa, ['get'], '', 'nodes/metrics', exp.metricsK8sIo],
        [sa, ['get', 'list'], '', 'secrets', false],
        [sa, ['create', 'update', 'delete'], '', 'pods', false],
        [hpa, ['get', 'list'], 'custom.metrics.k8s.io', 'pods.http_requests', true],
        [hpa, ['get', 'list'], 'external.metrics.k8s.io', 'queue_depth', true],
      ] as const) {
        for (const verb of verbs) {
          assert.equal(
            canClusterWide(objects, who, verb, group, resource),
            allowed,
            `${who.name} ${verb} ${group}/${resource}`,
          );
        }
      }

      const metricsReader = objects.find(
        (o) => o.kind === 'ClusterRole' && o.metadata.name === 'system:aggregated-metrics-reader',
      ) as (IClusterRole & K8sObject) | undefined;
      assert.equal(metricsReader !== undefined, exp.metricsK8sIo, 'system:aggregated-metrics-reader');
      if (metricsReader !== undefined) {
        for (const r of ['view', 'edit', 'admin']) {
          assert.equal(
            metricsReader.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${r}`],
            'true',
          );
        }
        for (const resource of ['pods', 'nodes']) {
          for (const verb of ['get', 'list', 'watch']) {
            assert.ok(
              (metricsReader.rules ?? []).some((r) => ruleAllows(r, verb, 'metrics.k8s.io', resource)),
              `${verb} metrics.k8s.io/${resource}`,
            );
          }
        }
      }
    },
  },
];
