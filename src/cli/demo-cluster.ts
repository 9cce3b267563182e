/**
 * The demo's stand-in for a cluster: the objects of the demo workload (demo-objects.ts) as the
 * rule engine and metrics.k8s.io read them, and a read-only slice of the Kubernetes API that
 * answers what `kubectl top node|pod` and `metrics-adapter explain --kubeconfig` ask of a cluster:
 * discovery (`/api`, `/api/v1`, `/apis/apps/v1`), and get/list of namespaces, nodes, pods,
 * services and deployments, in the objects' real shapes (metadata, spec, status), with label and
 * field selectors. Nothing can be written, and nothing can be watched.
 */
import type { Response, Router } from 'express';
import type { StandInApis } from '../apiserver/api-groups.js';
import { parseFieldSelector } from '../apiserver/resource-metrics-api.js';
import { sendJSON } from '../apiserver/respond.js';
import { newRouter } from '../apiserver/router.js';
import { BadRequestError, MethodNotAllowedError, NotFoundError } from '../errors.js';
import type { ObjectRef } from '../kube/index.js';
import { parseLabelSelector } from '../promql/label-selector/parse.js';
import { matchesLabels } from '../promql/label-selector/matches.js';
import { matchesFields, StaticClusterObjects } from '../providers/index.js';
import { metaOf, standInResources, type Json, type StandInResource } from './demo-objects.js';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

const FIELDS = new Set(['metadata.name', 'metadata.namespace']);
const POD_FIELDS = new Set([...FIELDS, 'spec.nodeName', 'status.phase']);

/** The fields a field selector may name, per resource (the subset the API server allows that fits). */
function fieldsOf(r: StandInResource, o: Json): Record<string, string> {
  const m = metaOf(o);
  const fields: Record<string, string> = { 'metadata.name': m.name, 'metadata.namespace': m.namespace ?? '' };
  if (r.resource === 'pods') {
    fields['spec.nodeName'] = text((o.spec as Json).nodeName);
    fields['status.phase'] = text((o.status as Json).phase);
  }
  return fields;
}

function labelSelectorOf(query: URLSearchParams): ReturnType<typeof parseLabelSelector> {
  const raw = query.get('labelSelector');
  if (raw === null || raw === '') return [];
  try {
    return parseLabelSelector(raw);
  } catch (err) {
    throw new BadRequestError(`unable to parse requirement: ${(err as Error).message}`);
  }
}

function apiResource(r: StandInResource): Json {
  return {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: ['get', 'list'],
    ...(r.shortNames !== undefined ? { shortNames: r.shortNames } : {}),
  };
}

export class DemoCluster {
  private readonly resources: StandInResource[];

  constructor(started = new Date()) {
    this.resources = standInResources(started);
  }

  /** Every object as the rule engine's lister reads it (group, resource, namespace, name, labels). */
  objectRefs(): (ObjectRef & { group: string; resource: string })[] {
    return this.resources.flatMap((r) =>
      r.objects.map((o) => {
        const m = metaOf(o);
        return {
          group: r.group,
          resource: r.resource,
          namespace: m.namespace ?? '',
          name: m.name,
          labels: m.labels,
        };
      }),
    );
  }

  /** Pods and nodes with what metrics.k8s.io needs (for the demo's resourceRules). */
  clusterObjects(): StaticClusterObjects {
    const created = (o: Json): string => text((o.metadata as Json).creationTimestamp);
    return new StaticClusterObjects(
      this.objectsOf('', 'pods').map((o) => {
        const m = metaOf(o);
        const spec = o.spec as { nodeName: string; containers: { name: string }[] };
        return {
          name: m.name,
          namespace: m.namespace ?? '',
          labels: m.labels,
          creationTimestamp: created(o),
          phase: text((o.status as Json).phase),
          nodeName: spec.nodeName,
          containers: spec.containers.map((c) => c.name),
        };
      }),
      this.objectsOf('', 'nodes').map((o) => ({
        name: metaOf(o).name,
        labels: metaOf(o).labels,
        creationTimestamp: created(o),
      })),
    );
  }

  /** The read-only API, to serve beside the metrics APIs. */
  apis(): StandInApis {
    return { router: this.router(), groups: [{ name: 'apps', versions: ['v1'] }] };
  }

  private objectsOf(group: string, resource: string): Json[] {
    return this.resources.find((r) => r.group === group && r.resource === resource)?.objects ?? [];
  }

  private router(): Router {
    const router = newRouter();
    const q = (res: Response): URLSearchParams => res.locals.context.query;
    router.get('/api', (req, res) =>
      sendJSON(
        res,
        {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }],
        },
        q(res),
      ),
    );
    router.get('/apis/apps', (_req, res) => {
      const v = { groupVersion: 'apps/v1', version: 'v1' };
      sendJSON(
        res,
        { kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [v], preferredVersion: v },
        q(res),
      );
    });
    for (const [prefix, group] of [
      ['/api/v1', ''],
      ['/apis/apps/v1', 'apps'],
    ] as const) {
      const inGroup = this.resources.filter((r) => r.group === group);
      const find = (resource: string): StandInResource => {
        const r = inGroup.find((x) => x.resource === resource);
        if (r === undefined) throw new NotFoundError('the server could not find the requested resource');
        return r;
      };
      router.get(prefix, (_req, res) =>
        sendJSON(
          res,
          {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: group === '' ? 'v1' : `${group}/v1`,
            resources: inGroup.map(apiResource),
          },
          q(res),
        ),
      );
      const list = (r: StandInResource, namespace: string | undefined, res: Response): void => {
        const query = q(res);
        if (query.get('watch') === 'true' || query.get('watch') === '1')
          throw new MethodNotAllowedError('the demo cluster cannot be watched', { group, kind: r.resource });
        const labels = labelSelectorOf(query);
        const fields = parseFieldSelector(
          query.get('fieldSelector'),
          r.resource === 'pods' ? POD_FIELDS : FIELDS,
        );
        const items = r.objects.filter((o) => {
          const m = metaOf(o);
          return (
            (namespace === undefined || m.namespace === namespace) &&
            matchesLabels(labels, m.labels) &&
            matchesFields(fields, fieldsOf(r, o))
          );
        });
        sendJSON(
          res,
          {
            kind: `${r.kind}List`,
            apiVersion: group === '' ? 'v1' : `${group}/v1`,
            metadata: { resourceVersion: '1' },
            items,
          },
          query,
        );
      };
      const get = (r: StandInResource, namespace: string | undefined, name: string, res: Response): void => {
        const found = r.objects.find((o) => {
          const m = metaOf(o);
          return m.name === name && (namespace === undefined || m.namespace === namespace);
        });
        if (found === undefined)
          throw new NotFoundError(`${r.resource}${group === '' ? '' : `.${group}`} "${name}" not found`, {
            name,
            // As the kube-apiserver: no group for the core group.
            ...(group === '' ? {} : { group }),
            kind: r.resource,
          });
        sendJSON(res, found, q(res));
      };
      router.get(`${prefix}/:resource`, (req, res) => list(find(req.params.resource), undefined, res));
      router.get(`${prefix}/:resource/:name`, (req, res) => {
        const r = find(req.params.resource);
        if (r.namespaced) throw new NotFoundError('the server could not find the requested resource');
        get(r, undefined, req.params.name, res);
      });
      router.get(`${prefix}/namespaces/:namespace/:resource`, (req, res) => {
        const r = find(req.params.resource);
        if (!r.namespaced) throw new NotFoundError('the server could not find the requested resource');
        list(r, req.params.namespace, res);
      });
      router.get(`${prefix}/namespaces/:namespace/:resource/:name`, (req, res) => {
        const r = find(req.params.resource);
        if (!r.namespaced) throw new NotFoundError('the server could not find the requested resource');
        get(r, req.params.namespace, req.params.name, res);
      });
    }
    return router;
  }
}
