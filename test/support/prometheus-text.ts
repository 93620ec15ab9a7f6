/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests to check what /metrics serves
 * the way a scraper would read it: any line it cannot read, or a sample outside a declared family, throws.
 */

export interface PromSample {
  /** The line's metric name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  help: string;
  type: string;
  samples: PromSample[];
}

export type Exposition = Map<string, PromFamily>;

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parseExposition(text: string): Exposition {
  const families: Exposition = new Map();
  let current: PromFamily | undefined;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const fail = (why: string) => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') return;
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (help || type) {
      const name = (help ?? type)![1];
      if (!current || current.name !== name) {
        if (families.has(name)) fail(`family ${name} declared twice`);
        current = { name, help: '', type: '', samples: [] };
        families.set(name, current);
      }
      if (help) current.help = help[2];
      else current.type = type![2];
      return;
    }
    if (line.startsWith('#')) return;
    const match = SAMPLE_LINE.exec(line);
    if (!match) return fail('not a sample line');
    const [, name, labelText, valueText] = match;
    if (!current || !belongsTo(name, current)) return fail(`sample outside its family (current: ${current?.name})`);
    const value = parseValue(valueText);
    if (value === undefined) return fail(`bad value ${valueText}`);
    current.samples.push({ name, labels: parseLabels(labelText ?? '', fail), value });
  });
  for (const family of families.values()) {
    if (!family.type) throw new Error(`family ${family.name} has no # TYPE line`);
    const seen = new Set<string>();
    for (const sample of family.samples) {
      const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
      if (seen.has(key)) throw new Error(`duplicate sample ${key}`);
      seen.add(key);
    }
  }
  return families;
}

function belongsTo(name: string, family: PromFamily): boolean {
  if (name === family.name) return family.type !== 'histogram';
  const suffixes = family.type === 'histogram' ? ['_bucket', '_sum', '_count'] : family.type === 'summary' ? ['_sum', '_count'] : [];
  return suffixes.some((suffix) => name === family.name + suffix);
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : undefined;
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) fail(`bad labels at ${LABEL.lastIndex}`);
    const [, name, raw] = match!;
    if (name in labels) fail(`label ${name} twice`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (match![3] === '') break;
  }
  return labels;
}

/** The family `name`; throws when the exposition lacks it. */
export function family(exposition: Exposition, name: string): PromFamily {
  const found = exposition.get(name);
  if (!found) throw new Error(`no metric family ${name} in the exposition (has: ${[...exposition.keys()].join(', ')})`);
  return found;
}

/** The samples named `name` (default: the family's name) whose labels include `labels`. */
export function samples(exposition: Exposition, familyName: string, labels: Record<string, string> = {}, name = familyName): PromSample[] {
  return family(exposition, familyName).samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The value of the one sample matching; 0 when the series does not exist yet (a counter not yet incremented). */
export function valueOf(exposition: Exposition, familyName: string, labels: Record<string, string> = {}, name = familyName): number {
  const found = samples(exposition, familyName, labels, name);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

export interface HistogramSeries {
  labels: Record<string, string>;
  /** [upper bound, cumulative count], in the order served. */
  buckets: Array<[number, number]>;
  sum: number;
  count: number;
}

/** A histogram family's series (one per label set, `le` aside). */
export function histogramSeries(exposition: Exposition, name: string): HistogramSeries[] {
  const hist = family(exposition, name);
  const series = new Map<string, HistogramSeries>();
  const of = (labels: Record<string, string>) => {
    const { le: _le, ...rest } = labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!series.has(key)) series.set(key, { labels: rest, buckets: [], sum: NaN, count: NaN });
    return series.get(key)!;
  };
  for (const sample of hist.samples) {
    const s = of(sample.labels);
    if (sample.name === `${name}_bucket`) s.buckets.push([parseValue(sample.labels.le) ?? NaN, sample.value]);
    else if (sample.name === `${name}_sum`) s.sum = sample.value;
    else s.count = sample.value;
  }
  return [...series.values()];
}

/**
 * What is wrong with a histogram family as Prometheus defines one: per series, bounds strictly increasing and
 * ending with +Inf, cumulative counts never decreasing, +Inf equal to _count, a _sum. Empty when well formed.
 */
export function histogramProblems(exposition: Exposition, name: string): string[] {
  const problems: string[] = [];
  if (family(exposition, name).type !== 'histogram') problems.push(`${name} is not typed histogram`);
  for (const s of histogramSeries(exposition, name)) {
    const where = `${name}${JSON.stringify(s.labels)}`;
    if (s.buckets.length === 0) problems.push(`${where}: no buckets`);
    s.buckets.forEach(([bound, count], i) => {
      if (Number.isNaN(bound)) problems.push(`${where}: bucket ${i} has no numeric le`);
      if (i > 0 && !(bound > s.buckets[i - 1][0])) problems.push(`${where}: le ${bound} not above ${s.buckets[i - 1][0]}`);
      if (i > 0 && count < s.buckets[i - 1][1]) problems.push(`${where}: le ${bound} counts ${count} < ${s.buckets[i - 1][1]}`);
    });
    const last = s.buckets[s.buckets.length - 1];
    if (last && last[0] !== Infinity) problems.push(`${where}: last bucket is le ${last[0]}, not +Inf`);
    if (last && last[1] !== s.count) problems.push(`${where}: +Inf bucket ${last[1]} != _count ${s.count}`);
    if (Number.isNaN(s.sum)) problems.push(`${where}: no _sum`);
    if (Number.isNaN(s.count)) problems.push(`${where}: no _count`);
  }
  return problems;
}
