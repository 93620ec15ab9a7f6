import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { knownSettings } from './settings';

/**
 * The cloud deployment files the guides in docs/deploy/ hand to each provider's CLI, parsed, with the fields the
 * guides rely on checked against the image (port, health paths, user, writable paths) and the server's settings.
 */
const ROOT = resolve(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const dockerfile = read('Dockerfile');
const IMAGE_PORT = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)![1]);
const DATA_DIR = /DATA_DIR=(\S+)/.exec(dockerfile)![1];
const settings = knownSettings();
const SHUTDOWN_GRACE_MS = 5000; // the grace the files set (checked below), plus the drain

type Env = Array<{ name: string; value?: string; valueFrom?: unknown; secretRef?: string }>;
const envNames = (env: Env) => env.map((e) => e.name);

describe('AWS ECS / Fargate task definition', () => {
  const task = JSON.parse(read('deploy/aws-ecs/task-definition.json'));
  const [container] = task.containerDefinitions;

  it('is a Fargate task with a valid CPU/memory pair', () => {
    expect(task.requiresCompatibilities).toEqual(['FARGATE']);
    expect(task.networkMode).toBe('awsvpc');
    // Fargate: 2 vCPU takes 4 to 16 GB in 1 GB steps.
    expect(task.cpu).toBe('2048');
    expect(Number(task.memory)).toBeGreaterThanOrEqual(4096);
    expect(Number(task.memory) % 1024).toBe(0);
  });

  it('health-checks with the image HEALTHCHECK command and logs to CloudWatch', () => {
    expect(container.healthCheck.command).toEqual(['CMD', 'node', 'scripts/healthcheck.js']);
    expect(dockerfile).toContain('CMD ["node", "scripts/healthcheck.js"]');
    expect(container.healthCheck.startPeriod).toBeGreaterThanOrEqual(60);
    expect(container.logConfiguration.logDriver).toBe('awslogs');
    expect(Object.keys(container.logConfiguration.options)).toEqual(
      expect.arrayContaining(['awslogs-group', 'awslogs-region', 'awslogs-stream-prefix']),
    );
  });

  it('takes the admin token from Secrets Manager, never from plain environment', () => {
    expect(container.secrets).toEqual([{ name: 'ADMIN_TOKEN', valueFrom: expect.stringMatching(/^arn:aws:secretsmanager:/) }]);
    expect(envNames(container.environment)).not.toContain('ADMIN_TOKEN');
    for (const name of envNames(container.environment)) expect([name, settings.has(name)]).toEqual([name, true]);
  });

  it('maps the image port, runs as uid 1000 on a read-only root with DATA_DIR and /tmp writable, and stops gracefully', () => {
    expect(container.portMappings[0].containerPort).toBe(IMAGE_PORT);
    const metricsPort = container.environment.find((e: { name: string }) => e.name === 'METRICS_PORT').value;
    expect(container.portMappings.map((p: { containerPort: number }) => String(p.containerPort))).toContain(metricsPort);
    expect(container.user).toBe('1000:1000');
    expect(container.readonlyRootFilesystem).toBe(true);
    const mounts = container.mountPoints.map((m: { containerPath: string; sourceVolume: string }) => m);
    expect(mounts.map((m: { containerPath: string }) => m.containerPath).sort()).toEqual([DATA_DIR, '/tmp'].sort());
    for (const m of mounts) expect(task.volumes.map((v: { name: string }) => v.name)).toContain(m.sourceVolume);
    expect(container.stopTimeout * 1000).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS + 10_000);
  });
});

describe('Google Cloud Run service', () => {
  const service = parse(read('deploy/cloud-run/service.yaml'));
  const template = service.spec.template;
  const [container] = template.spec.containers;

  it('is a Knative Service with concurrency, CPU always allocated and a minimum instance', () => {
    expect(service.apiVersion).toBe('serving.knative.dev/v1');
    expect(service.kind).toBe('Service');
    expect(template.spec.containerConcurrency).toBeGreaterThan(1);
    expect(template.metadata.annotations['run.googleapis.com/cpu-throttling']).toBe('false');
    expect(Number(template.metadata.annotations['autoscaling.knative.dev/minScale'])).toBeGreaterThanOrEqual(1);
    // SQLite: one instance until the PostgreSQL store exists.
    expect(template.metadata.annotations['autoscaling.knative.dev/maxScale']).toBe('1');
  });

  it('sends traffic to the image port after a startup probe long enough for a model load', () => {
    expect(container.ports).toEqual([{ name: 'http1', containerPort: IMAGE_PORT }]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/health/ready', port: IMAGE_PORT });
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeLessThanOrEqual(240);
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
  });

  it('reads the admin token from Secret Manager and sets only known settings', () => {
    const token = (container.env as Env).find((e) => e.name === 'ADMIN_TOKEN')!;
    expect(token.valueFrom).toEqual({ secretKeyRef: { name: expect.any(String), key: 'latest' } });
    for (const name of envNames(container.env)) expect([name, settings.has(name)]).toEqual([name, true]);
  });
});

describe('Azure Container Apps', () => {
  const app = parse(read('deploy/azure-container-apps/containerapp.yaml'));
  const [container] = app.properties.template.containers;

  it('routes external HTTP traffic to the image port', () => {
    expect(app.properties.configuration.ingress).toMatchObject({ external: true, targetPort: IMAGE_PORT, transport: 'http' });
  });

  it('has startup, readiness and liveness probes on the health routes', () => {
    const probes = Object.fromEntries(container.probes.map((p: { type: string; httpGet: { path: string; port: number } }) => [p.type, p.httpGet]));
    expect(probes).toEqual({
      Startup: { path: '/health/live', port: IMAGE_PORT },
      Readiness: { path: '/health/ready', port: IMAGE_PORT },
      Liveness: { path: '/health/live', port: IMAGE_PORT },
    });
  });

  it('takes the admin token from a Key Vault secret and sets only known settings', () => {
    const secrets = app.properties.configuration.secrets.map((s: { name: string }) => s.name);
    const token = (container.env as Env).find((e) => e.name === 'ADMIN_TOKEN')!;
    expect(secrets).toContain(token.secretRef);
    expect(app.properties.configuration.secrets[0].keyVaultUrl).toMatch(/^https:\/\/.+\.vault\.azure\.net\/secrets\//);
    for (const name of envNames(container.env)) expect([name, settings.has(name)]).toEqual([name, true]);
  });

  it('keeps one replica with DATA_DIR on a volume', () => {
    expect(app.properties.template.scale).toEqual({ minReplicas: 1, maxReplicas: 1 });
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === DATA_DIR);
    expect(app.properties.template.volumes.map((v: { name: string }) => v.name)).toContain(mount.volumeName);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'));
  const prometheus = parse(read('deploy/prometheus/prometheus.yml'));

  it('runs the server read-only with a data volume, and Prometheus scrapes its metrics port', () => {
    const server = compose.services.server;
    expect(server.build).toBe('.');
    expect(server.read_only).toBe(true);
    expect(server.volumes).toContain(`data:${DATA_DIR}`);
    const target = prometheus.scrape_configs[0].static_configs[0].targets[0];
    expect(target).toBe(`server:${server.environment.METRICS_PORT}`);
    for (const name of Object.keys(server.environment)) expect([name, settings.has(name)]).toEqual([name, true]);
  });

  it('mounts the Prometheus rules and the Grafana provisioning and dashboard that exist in the repository', () => {
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(compose.services.prometheus.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    const grafanaMounts = compose.services.grafana.volumes as string[];
    for (const mount of grafanaMounts.filter((m) => m.startsWith('./'))) {
      expect([mount, statSync(join(ROOT, mount.split(':')[0])).isDirectory()]).toEqual([mount, true]);
    }
    const provider = parse(read('deploy/grafana/provisioning/dashboards/dashboards.yml')).providers[0];
    const dashboardsMount = grafanaMounts.find((m) => m.endsWith(`:${provider.options.path}:ro`));
    expect(dashboardsMount).toBe('./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider.options.path}/onnx-classifier-server.json`,
    );
    const datasource = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')).datasources[0];
    expect(datasource.url).toBe('http://prometheus:9090');
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/onnx-classifier-server.json'));
    expect(new Set(dashboard.panels.flatMap((p: { datasource?: { uid: string } }) => (p.datasource ? [p.datasource.uid] : [])))).toEqual(
      new Set([datasource.uid]),
    );
  });
});
