import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { startServer, TestServer } from '../e2e/support/server';
import { parseExposition } from '../support/prometheus-text';
import { metricNames, PROMETHEUS_SERIES } from './promql-metrics';

/**
 * Every metric the Grafana dashboard, the Prometheus alerting rules and the Kubernetes HPA query exists in what
 * the real server serves on /metrics: a renamed metric breaks this test, not an operator's dashboard.
 */
const ROOT = resolve(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
}
interface RuleFile {
  groups: Array<{ rules: Array<{ alert: string; expr: string; for?: string; labels?: { severity?: string } }> }>;
}

function dashboardQueries(): Array<[string, string]> {
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/onnx-classifier-server.json')) as Dashboard;
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t): [string, string] => [`panel "${p.title}"`, t.expr]));
}

function ruleQueries(): Array<[string, string]> {
  const rules = parse(read('deploy/prometheus/alerts.yml')) as RuleFile;
  return rules.groups.flatMap((g) => g.rules.map((r): [string, string] => [`alert ${r.alert}`, r.expr]));
}

function hpaQueries(): Array<[string, string]> {
  const hpa = parse(read('deploy/kubernetes/overlays/scale-out/hpa.yaml')) as {
    spec: { metrics: Array<{ type: string; pods?: { metric: { name: string } } }> };
  };
  return hpa.spec.metrics.filter((m) => m.type === 'Pods').map((m): [string, string] => ['HPA Pods metric', m.pods!.metric.name]);
}

describe('monitoring files against the real /metrics', () => {
  let server: TestServer;
  let served: Set<string>;

  beforeAll(async () => {
    server = await startServer();
    // One classification, so the labelled HTTP and prediction series have samples too.
    const answer = await server.request('POST', '/sentiment', { json: { text: 'A fine film.' } });
    expect(answer.status).toBe(200);
    const metrics = await server.request('GET', '/metrics');
    served = new Set();
    for (const family of parseExposition(metrics.text).values()) {
      served.add(family.name);
      if (family.type === 'histogram' || family.type === 'summary') {
        for (const suffix of ['_bucket', '_sum', '_count']) served.add(family.name + suffix);
      }
    }
  });
  afterAll(async () => server?.close());

  it('the dashboard covers throughput, latency, queue, batch size, padding, predictions, feedback figures, drift and model roles', () => {
    const exprs = dashboardQueries().map(([, e]) => e).join('\n');
    for (const metric of [
      'classifier_engine_rows_total',
      'http_request_duration_seconds_bucket',
      'classifier_engine_queue_depth',
      'classifier_engine_batch_size_sum',
      'classifier_engine_padding_ratio_sum',
      'classifier_predictions_total',
      'classifier_model_accuracy',
      'classifier_model_weighted_f1',
      'classifier_drift_detected',
      'classifier_drift_adjusted_p_value',
      'classifier_model_role_info',
      'classifier_shadow_agreement',
    ]) {
      expect(exprs).toContain(metric);
    }
  });

  it('the rules alert on a down or not-ready server, overload, latency, errors, degradation and drift', () => {
    const alerts = ruleQueries().map(([what]) => what);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'alert ClassifierDown',
        'alert ClassifierNotReady',
        'alert ClassifierOverloaded',
        'alert ClassifierHighLatency',
        'alert ClassifierServerErrors',
        'alert ClassifierModelDegraded',
        'alert ClassifierDriftDetected',
      ]),
    );
  });

  it.each([...dashboardQueries(), ...ruleQueries(), ...hpaQueries()])('%s queries only served metrics: %s', (_where, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    const missing = names.filter((name) => !served.has(name) && !PROMETHEUS_SERIES.has(name));
    expect(missing).toEqual([]);
  });
});

describe('metricNames', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, instance) (rate(http_request_duration_seconds_bucket{route=~"/a|/b"}[5m]))) > 1',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNames('up{job="x"} == 1 unless on(instance) classifier_model_info')).toEqual(['up', 'classifier_model_info']);
    expect(metricNames('sum(rate(a_total[5m])) / sum(rate(b_total[5m])) > 0.01')).toEqual(['a_total', 'b_total']);
  });
});
