import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { knownSettings } from './settings';

/**
 * deploy/kubernetes: each overlay rendered by kustomize (`kubectl kustomize`, as `kubectl apply -k` would), every
 * object validated against the Kubernetes schemas (scripts/ci/validate-kubernetes.mjs, kubernetes-models), and
 * the fields docs/deploy/kubernetes.md relies on checked.
 */
const ROOT = resolve(__dirname, '..', '..');
const VALIDATOR = join(ROOT, 'scripts', 'ci', 'validate-kubernetes.mjs');

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

function render(overlay: string): string {
  try {
    return execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy', 'kubernetes', 'overlays', overlay)], { encoding: 'utf8' });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed: these tests render the overlays with `kubectl kustomize` (Debian/Google Cloud SDK package kubectl)');
    throw new Error(`kubectl kustomize ${overlay} failed: ${e.stderr ?? e.message}`);
  }
}

function validate(yamlText: string): Promise<{ code: number; results: Array<{ kind?: string; name?: string; error?: string }> }> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(process.execPath, [VALIDATOR], { cwd: ROOT }, (error, stdout) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      if (typeof code !== 'number') return reject(error);
      resolvePromise({ code, results: stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) });
    });
    child.stdin!.end(yamlText);
  });
}

const objects = (yamlText: string) => parseAllDocuments(yamlText).map((d) => d.toJS() as K8sObject);
const find = (list: K8sObject[], kind: string) => list.filter((o) => o.kind === kind);

describe('deploy/kubernetes', () => {
  const rendered: Record<string, string> = {};
  beforeAll(() => {
    for (const overlay of ['cpu', 'gpu', 'scale-out']) rendered[overlay] = render(overlay);
  });

  it.each(['cpu', 'gpu', 'scale-out'])('overlay %s: every object is valid against the Kubernetes schemas', async (overlay) => {
    const { code, results } = await validate(rendered[overlay]);
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(code).toBe(0);
    expect(results.length).toBe(objects(rendered[overlay]).length);
  });

  it('the validator rejects an object that breaks the schema', async () => {
    const broken = rendered.cpu.replace('containerPort: 8000', 'containerPort: http-port');
    expect(broken).not.toBe(rendered.cpu);
    const { code, results } = await validate(broken);
    expect(code).toBe(1);
    expect(results.find((r) => r.kind === 'Deployment')?.error).toContain('containerPort must be integer');
  });

  it('cpu: one replica with SQLite on a PersistentVolume, probes, preStop pause and a consistent grace period', () => {
    const list = objects(rendered.cpu);
    const [deployment] = find(list, 'Deployment');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const config = find(list, 'ConfigMap')[0].data!;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    expect(container.lifecycle.preStop.exec.command[0]).toBe('sleep');
    // The pause, then the server's own readiness grace, then at least 10 s to drain, before SIGKILL.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + Number(config.SHUTDOWN_GRACE_MS) / 1000 + 10);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.requests.cpu).toBeDefined();
    const mounts = Object.fromEntries(container.volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m]));
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(mounts[env.MODEL_DIR]).toMatchObject({ readOnly: true });
    expect(mounts[env.DATA_DIR]).toBeDefined();
    const dataVolume = pod.volumes.find((v: { name: string }) => v.name === mounts[env.DATA_DIR].name);
    expect(find(list, 'PersistentVolumeClaim').map((c) => c.metadata.name)).toContain(dataVolume.persistentVolumeClaim.claimName);
    // Metrics: the ServiceMonitor scrapes a Service port that reaches METRICS_PORT.
    const service = find(list, 'Service')[0];
    const monitorPort = find(list, 'ServiceMonitor')[0].spec.endpoints[0].port;
    const servicePort = service.spec.ports.find((p: { name: string }) => p.name === monitorPort);
    const containerPort = container.ports.find((p: { name: string }) => p.name === servicePort.targetPort);
    expect(String(containerPort.containerPort)).toBe(config.METRICS_PORT);
  });

  it('every ConfigMap key is a documented setting (docs/configuration.md)', () => {
    const settings = knownSettings();
    for (const overlay of ['cpu', 'gpu', 'scale-out']) {
      for (const configMap of find(objects(rendered[overlay]), 'ConfigMap')) {
        for (const key of Object.keys(configMap.data ?? {})) expect([key, settings.has(key)]).toEqual([key, true]);
      }
    }
  });

  it('gpu: the CUDA image, ENGINE_DEVICE=cuda and one GPU per pod', () => {
    const [deployment] = find(objects(rendered.gpu), 'Deployment');
    const [container] = deployment.spec.template.spec.containers;
    expect(container.image).toMatch(/-cuda:/);
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'ENGINE_DEVICE', value: 'cuda' }]));
    expect(container.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
  });

  it('scale-out: an HPA on CPU and queue depth, a PDB, PostgreSQL instead of a per-pod SQLite volume, one shared model repository', () => {
    const list = objects(rendered['scale-out']);
    const [deployment] = find(list, 'Deployment');
    const [hpa] = find(list, 'HorizontalPodAutoscaler');
    const [pdb] = find(list, 'PodDisruptionBudget');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics.map((m: { type: string }) => m.type).sort()).toEqual(['Pods', 'Resource']);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels)) expect(podLabels[key]).toBe(value);
    expect(find(list, 'PersistentVolumeClaim').map((c) => c.metadata.name)).not.toContain('onnx-classifier-data');
    expect(deployment.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)).toContain('DATABASE_URL');
    // Model roles are shared through the database, model files through one ReadWriteMany repository volume.
    const [container] = deployment.spec.template.spec.containers;
    const repository = container.env.find((e: { name: string }) => e.name === 'MODEL_REPOSITORY');
    expect(repository).toBeDefined();
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === repository.value);
    expect(mount).toBeDefined();
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    const [claim] = find(list, 'PersistentVolumeClaim').filter((c) => c.metadata.name === volume.persistentVolumeClaim.claimName);
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
  });
});
