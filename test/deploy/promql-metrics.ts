/**
 * The metric names a PromQL expression reads: what is left of the expression once strings, label matchers,
 * grouping clauses, ranges, numbers, functions and keywords are taken out. Enough for the expressions the
 * project's dashboard and rules use; anything it cannot account for stays in and fails the check loudly.
 */
const FUNCTIONS_AND_KEYWORDS = new Set([
  // aggregations and their modifiers
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset',
  // functions used on counters, gauges and histograms
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'abs', 'absent', 'absent_over_time',
  'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'count_over_time', 'clamp_min', 'clamp_max',
  'round', 'scalar', 'vector', 'time', 'label_replace', 'changes', 'resets',
]);

/** Series Prometheus itself creates for every scrape target. */
export const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' ');
  const names = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((name) => !FUNCTIONS_AND_KEYWORDS.has(name)))];
}
