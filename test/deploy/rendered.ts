/**
 * Rendering kustomizations with the real `kubectl kustomize` (offline: the kubeconfig names no
 * file), and validating the result against the Kubernetes JSON schemas of `kubernetes-models` (and
 * `@kubernetes-models/cert-manager` for cert-manager's kinds), looked up by apiVersion and kind.
 *
 * The schemas check types, enums and required fields but allow unknown fields, so the tests assert
 * the fields that matter (security context, probes, ports) by name as well.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runKubectl } from '../helpers/kubectl.js';
import { makeTempDir } from '../helpers/temp.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MANIFESTS = join(ROOT, 'manifests');

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface Rendered {
  /** kubectl's output, as written. */
  text: string;
  objects: K8sObject[];
}

export async function renderKustomization(dir: string): Promise<Rendered> {
  const tmp = await makeTempDir('kustomize');
  try {
    const out = await runKubectl(['kustomize', dir], { kubeconfig: join(tmp.path, 'none') });
    assert.equal(out.code, 0, `kubectl kustomize ${dir}: ${out.stderr}`);
    const objects = parseAllDocuments(out.stdout).map((d) => {
      assert.deepEqual(d.errors, [], `YAML from kubectl kustomize ${dir}`);
      return d.toJS() as K8sObject;
    });
    return { text: out.stdout, objects };
  } finally {
    await tmp.remove();
  }
}

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatingModel;

/** The module path of the model for apiVersion/kind: core kinds live under `v1/`. */
function modelModule(apiVersion: string, kind: string): string {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const pkg = group.endsWith('cert-manager.io') ? '@kubernetes-models/cert-manager' : 'kubernetes-models';
  return group === '' ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
}

/**
 * kustomize writes long Secret data as wrapped base64 lines, which the API server accepts (Go's
 * base64 decoder skips \r and \n) but the schema's "byte" format does not.
 */
function forSchema(obj: K8sObject): K8sObject {
  if (obj.kind !== 'Secret' || obj.data === null || typeof obj.data !== 'object') return obj;
  const data = Object.fromEntries(
    Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]),
  );
  return { ...obj, data };
}

/** Throws (naming the object and the failing paths) unless the object matches its schema. */
export async function validateAgainstSchema(obj: K8sObject): Promise<void> {
  const where = `${obj.apiVersion} ${obj.kind}/${obj.metadata.name}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelModule(obj.apiVersion, obj.kind))) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${where}: no schema model (${(err as Error).message})`, { cause: err });
  }
  const Model = mod[obj.kind] as ModelClass | undefined;
  assert.equal(typeof Model, 'function', `${where}: no model class ${obj.kind}`);
  try {
    new (Model as ModelClass)(forSchema(obj)).validate();
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

export function findObject<T = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
  name: string,
): T & K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} is rendered`);
  return found as T & K8sObject;
}

export function objectsOfKind<T = K8sObject>(objects: readonly K8sObject[], kind: string): (T & K8sObject)[] {
  return objects.filter((o) => o.kind === kind) as (T & K8sObject)[];
}

/** Every string value anywhere in a JSON value, with its path. */
export function* walk(value: unknown, path = ''): Generator<[path: string, key: string, value: unknown]> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* walk(v, `${path}/${i}`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield [`${path}/${k}`, k, v];
      yield* walk(v, `${path}/${k}`);
    }
  }
}
