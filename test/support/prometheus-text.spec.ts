import { histogramProblems, parseExposition, valueOf } from './prometheus-text';

/** The checker the metrics tests rely on must itself reject what a scraper would. */
describe('Prometheus text reader (test support)', () => {
  it('reads families, labels with escapes and special values', () => {
    const exposition = parseExposition(
      [
        '# HELP a_total Things.',
        '# TYPE a_total counter',
        'a_total{path="/x\\"y\\\\z",code="1"} 3',
        'a_total{path="p",code="2",} 4',
        '# HELP g A gauge.',
        '# TYPE g gauge',
        'g +Inf',
        '',
      ].join('\n'),
    );
    expect(valueOf(exposition, 'a_total', { path: '/x"y\\z' })).toBe(3);
    expect(valueOf(exposition, 'a_total', { code: '2' })).toBe(4);
    expect(valueOf(exposition, 'g')).toBe(Infinity);
  });

  it.each([
    ['a sample before any family', 'x 1'],
    ['a sample of another family', '# TYPE a gauge\nb 1'],
    ['a malformed label set', '# TYPE a gauge\na{x=1} 1'],
    ['a non-numeric value', '# TYPE a gauge\na one'],
    ['a duplicate series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2'],
    ['a family without TYPE', '# HELP a A.\na 1'],
  ])('rejects %s', (_why, text) => {
    expect(() => parseExposition(text)).toThrow();
  });

  it('finds what is wrong with a histogram', () => {
    const broken = parseExposition(
      [
        '# TYPE h histogram',
        'h_bucket{le="1"} 2',
        'h_bucket{le="2"} 1',
        'h_bucket{le="+Inf"} 5',
        'h_sum 3',
        'h_count 4',
        '# TYPE k histogram',
        'k_bucket{le="1"} 1',
        'k_count 1',
      ].join('\n'),
    );
    expect(histogramProblems(broken, 'h')).toEqual(['h{}: le 2 counts 1 < 2', 'h{}: +Inf bucket 5 != _count 4']);
    expect(histogramProblems(broken, 'k')).toEqual(['k{}: last bucket is le 1, not +Inf', 'k{}: no _sum']);
  });
});
