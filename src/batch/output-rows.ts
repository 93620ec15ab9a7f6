import type { OutputFormat } from './batch-options';

/** One classified record, as written: its input line, the winning label and score, every label's probability. */
export interface OutputRow {
  line: number;
  label: string;
  score: number;
  scores: Record<string, number>;
}

/** RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The CSV header: line, label, score, then score_<label> for every label in the model's id order. */
export function csvHeader(labels: readonly string[]): string {
  return ['line', 'label', 'score', ...labels.map((label) => `score_${label}`)].map(csvField).join(',') + '\n';
}

/**
 * A row as one physical line ending in "\n" (JSON escapes newlines; the CSV fields are numbers and labels, quoted
 * if needed), so "complete rows" are exactly the lines that end in a newline: what --resume relies on.
 */
export function formatRow(row: OutputRow, format: OutputFormat, labels: readonly string[]): string {
  if (format === 'jsonl') return JSON.stringify(row) + '\n';
  const probabilities = labels.map((label) => String(row.scores[label]));
  return [String(row.line), csvField(row.label), String(row.score), ...probabilities].join(',') + '\n';
}

/** The input line a written row (without its newline) came from; undefined for the CSV header. */
export function rowLine(text: string, format: OutputFormat): number | undefined {
  if (format === 'jsonl') {
    const line = (JSON.parse(text) as { line?: unknown }).line;
    if (typeof line !== 'number') throw new Error(`no "line" number in ${JSON.stringify(text.slice(0, 200))}`);
    return line;
  }
  const first = text.slice(0, text.indexOf(','));
  if (first === 'line') return undefined;
  const line = Number(first);
  if (!Number.isSafeInteger(line)) throw new Error(`no line number at the start of ${JSON.stringify(text.slice(0, 200))}`);
  return line;
}
