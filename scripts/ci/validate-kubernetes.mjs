#!/usr/bin/env node
/**
 * Validates Kubernetes objects (multi-document YAML on stdin, as `kubectl kustomize` prints it) against the
 * Kubernetes OpenAPI schemas that the `kubernetes-models` package generates (and, for the Prometheus Operator
 * and KEDA custom resources, its `@kubernetes-models/*` companions). Prints one JSON line per object
 * ({apiVersion, kind, name, error?}) and exits 1 if any object is invalid or of a kind with no known schema.
 * ESM because kubernetes-models is ESM-only; test/deploy runs it as a child process.
 *   kubectl kustomize deploy/kubernetes/overlays/cpu | node scripts/ci/validate-kubernetes.mjs
 */
import { parseAllDocuments } from 'yaml';

/** Which package holds the schema of an API group. */
const PACKAGES = {
  '': 'kubernetes-models',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = PACKAGES[group] ?? 'kubernetes-models';
  const groupPath = group === '' ? version : `${group}/${version}`;
  const module = await import(`${pkg}/${groupPath}/${kind}`);
  return module[kind] ?? module.default;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
let failed = false;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length) {
    console.log(JSON.stringify({ error: `YAML: ${document.errors[0].message}` }));
    failed = true;
    continue;
  }
  const object = document.toJS();
  if (!object) continue;
  const result = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name };
  try {
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) throw new Error(`no schema known for ${object.apiVersion} ${object.kind}`);
    new Model(object).validate();
  } catch (error) {
    result.error = error.message;
    failed = true;
  }
  console.log(JSON.stringify(result));
}
process.exit(failed ? 1 : 0);
