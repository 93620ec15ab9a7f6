import { once } from 'node:events';
import { open, FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { OutputFormat } from './batch-options';
import { BatchError, EXIT } from './exit-codes';
import { csvHeader, rowLine } from './output-rows';

/** Where rows go: appended in order; `flush` makes what was written durable (fsync for files). */
export interface OutputSink {
  /** Input lines up to this one already have their row in the output (0: start from the beginning). */
  readonly resumeAfterLine: number;
  write(text: string): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** stdout (or any stream): no resume, backpressure respected. */
export function streamSink(stream: Writable, format: OutputFormat, labels: readonly string[]): OutputSink {
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  let headerWritten = format !== 'csv';
  return {
    resumeAfterLine: 0,
    async write(text) {
      if (!headerWritten) {
        headerWritten = true;
        await write(csvHeader(labels));
      }
      await write(text);
    },
    async flush() {},
    async close() {
      if (!headerWritten) await write(csvHeader(labels));
    },
  };
}

const TAIL_BLOCK = 64 * 1024;

/**
 * Reads the end of `handle` backwards until it holds the last complete line (the text before the file's last
 * "\n"). Returns where the complete lines end (just after that "\n"; 0 without one) and that line, so a
 * multi-gigabyte output is resumed without reading it whole.
 */
async function lastCompleteLine(handle: FileHandle, size: number): Promise<{ end: number; line?: string }> {
  let tail = Buffer.alloc(0);
  let position = size;
  let end = -1;
  while (position > 0) {
    const length = Math.min(TAIL_BLOCK, position);
    position -= length;
    const block = Buffer.alloc(length);
    await handle.read(block, 0, length, position);
    tail = Buffer.concat([block, tail]);
    if (end < 0) {
      const newline = tail.lastIndexOf(0x0a);
      if (newline < 0) continue;
      end = position + newline + 1;
    }
    const lineEnd = end - position - 1;
    const lineStart = tail.lastIndexOf(0x0a, lineEnd - 1);
    if (lineStart >= 0 || position === 0) {
      return { end, line: tail.subarray(lineStart + 1, lineEnd).toString('utf8') };
    }
  }
  return end < 0 ? { end: 0 } : { end, line: tail.subarray(0, end - 1).toString('utf8') };
}

/**
 * An output file. New (or --overwrite): truncated and started. --resume: a partial last row (the process died
 * mid-write) is cut off, and the last complete row's input line says where to continue, so nothing is written
 * twice or lost. Rows are appended; `flush` fsyncs.
 */
export async function fileSink(
  path: string,
  format: OutputFormat,
  labels: readonly string[],
  mode: { resume: boolean; overwrite: boolean },
): Promise<OutputSink> {
  let handle: FileHandle;
  try {
    handle = await open(path, mode.resume ? 'a+' : mode.overwrite ? 'w' : 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new BatchError(EXIT.USAGE, `The output ${path} exists: pass --resume to continue it, or --overwrite to replace it`);
    }
    throw new BatchError(EXIT.IO, `Cannot open the output ${path}: ${(error as Error).message}`);
  }
  let resumeAfterLine = 0;
  try {
    const { size } = await handle.stat();
    if (mode.resume && size > 0) {
      const header = csvHeader(labels);
      if (format === 'csv') {
        const first = Buffer.alloc(Math.min(size, Buffer.byteLength(header)));
        await handle.read(first, 0, first.length, 0);
        if (first.toString('utf8') !== header.slice(0, first.length)) {
          throw new BatchError(
            EXIT.USAGE,
            `Cannot resume ${path}: its CSV header is not ${JSON.stringify(header.trim())} (another model or format?)`,
          );
        }
      }
      const { end, line } = await lastCompleteLine(handle, size);
      if (end < size) await handle.truncate(end);
      if (line !== undefined) {
        try {
          resumeAfterLine = rowLine(line, format) ?? 0;
        } catch (error) {
          throw new BatchError(EXIT.USAGE, `Cannot resume ${path}: its last row is not one of this command's ${format} rows (${(error as Error).message})`);
        }
      }
      if (format === 'csv' && end === 0) await handle.write(header);
    } else if (format === 'csv') {
      await handle.write(csvHeader(labels));
    }
  } catch (error) {
    await handle.close();
    if (error instanceof BatchError) throw error;
    throw new BatchError(EXIT.IO, `Cannot prepare the output ${path}: ${(error as Error).message}`);
  }
  const fail = (error: unknown): never => {
    throw new BatchError(EXIT.IO, `Cannot write the output ${path}: ${(error as Error).message}`);
  };
  return {
    resumeAfterLine,
    // Opened in append mode (or truncated), so writes land at the end whatever the position.
    write: (text) => handle.writeFile(text).catch(fail),
    flush: () => handle.sync().catch(fail),
    async close() {
      await handle.sync().catch(fail);
      await handle.close().catch(fail);
    },
  };
}
