import type { Writable } from 'node:stream';

export interface ProgressSnapshot {
  /** Rows written in this run. */
  rows: number;
  /** Bad records reported in this run. */
  bad: number;
  /** Input bytes consumed so far (of `totalBytes` when the input is a file). */
  bytes: number;
}

const BAR_WIDTH = 24;
const BAR_REDRAW_MS = 100;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * Progress on stderr. 'bar': one line redrawn in place (a terminal), with the share of the input read, rows, rate
 * and ETA; 'lines': a plain line every interval (logs, CI); 'none': nothing but the notes. The rate counts rows
 * written in this run; the ETA extrapolates the input bytes consumed since the first row (a resumed run skips
 * its first records quickly, which would otherwise flatter it).
 */
export class ProgressReporter {
  private readonly started: number;
  private firstRow?: { at: number; bytes: number };
  private lastDraw = 0;
  private lastLine: number;
  private drawn = false;
  private latest: ProgressSnapshot = { rows: 0, bad: 0, bytes: 0 };

  constructor(
    private readonly mode: 'bar' | 'lines' | 'none',
    private readonly out: Writable,
    private readonly intervalMs: number,
    private readonly totalBytes: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    this.lastLine = this.started;
  }

  update(snapshot: ProgressSnapshot): void {
    this.latest = snapshot;
    const at = this.now();
    if (!this.firstRow && snapshot.rows > 0) this.firstRow = { at, bytes: snapshot.bytes };
    if (this.mode === 'bar' && at - this.lastDraw >= BAR_REDRAW_MS) {
      this.lastDraw = at;
      this.drawBar();
    } else if (this.mode === 'lines' && at - this.lastLine >= this.intervalMs) {
      this.lastLine = at;
      this.out.write(`progress: ${this.describe()}\n`);
    }
  }

  /** A message (a bad record, a warning) that must not be drawn over by the bar. */
  note(message: string): void {
    this.clearBar();
    this.out.write(`${message}\n`);
    if (this.drawn) this.drawBar();
  }

  /** Ends the bar's line; the caller prints the summary next. */
  finish(): void {
    if (this.mode === 'bar') {
      this.drawBar();
      this.out.write('\n');
    }
  }

  /** "12345 rows (3 bad), 812 rows/s, 45.0% of input, ETA 0:18": what both modes show. */
  describe(): string {
    const { rows, bad } = this.latest;
    const parts = [`${rows} rows${bad ? ` (${bad} bad)` : ''}`, `${Math.round(this.rate())} rows/s`];
    const fraction = this.fraction();
    if (fraction !== undefined) parts.push(`${(fraction * 100).toFixed(1)}% of input`, `ETA ${duration(this.etaSeconds())}`);
    return parts.join(', ');
  }

  rate(): number {
    const seconds = (this.now() - this.started) / 1000;
    return seconds > 0 ? this.latest.rows / seconds : 0;
  }

  private fraction(): number | undefined {
    if (!this.totalBytes) return undefined;
    return Math.min(1, this.latest.bytes / this.totalBytes);
  }

  private etaSeconds(): number {
    if (!this.totalBytes || !this.firstRow) return Number.NaN;
    const seconds = (this.now() - this.firstRow.at) / 1000;
    const bytesPerSecond = (this.latest.bytes - this.firstRow.bytes) / seconds;
    return bytesPerSecond > 0 ? (this.totalBytes - this.latest.bytes) / bytesPerSecond : Number.NaN;
  }

  private drawBar(): void {
    if (this.mode !== 'bar') return;
    const fraction = this.fraction();
    const bar =
      fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}] `;
    this.out.write(`\r\x1b[2K${bar}${this.describe()}`);
    this.drawn = true;
  }

  private clearBar(): void {
    if (this.mode === 'bar' && this.drawn) this.out.write('\r\x1b[2K');
  }
}
