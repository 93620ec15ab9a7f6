#!/usr/bin/env node
'use strict';
/**
 * The offline batch command: classify every text of a CSV, JSONL or text file with the native engine.
 * `classify-batch --help`, or docs/batch.md. It runs the compiled code in dist/ (`npm run build`; the image has it).
 */
const path = require('node:path');

let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'batch', 'cli.js'));
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes(path.join('dist', 'batch', 'cli.js'))) throw error;
  process.stderr.write('classify-batch: dist/batch/cli.js not found: run `npm run build` first\n');
  process.exit(1);
}

cli
  .runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    modelDirFromEnv: process.env.MODEL_DIR,
    onSignal(handler) {
      const listeners = ['SIGINT', 'SIGTERM'].map((signal) => {
        const listener = () => handler(signal);
        process.on(signal, listener);
        return [signal, listener];
      });
      return () => listeners.forEach(([signal, listener]) => process.off(signal, listener));
    },
  })
  .then((code) => process.exit(code));
