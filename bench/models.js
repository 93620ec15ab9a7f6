'use strict';
/** The models the benchmarks run on, by name: the demo model, or a BERT-base-sized random model made on first use. */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function modelDir(name) {
  if (name === 'demo') return path.join(ROOT, 'models', 'demo-sentiment');
  if (name === 'bert-base') {
    const dir = path.join(ROOT, 'bench', 'models', 'bert-base-random');
    if (!fs.existsSync(path.join(dir, 'model.onnx'))) {
      console.log('generating the BERT-base-sized model (tools/bert-base-random/make_model.py)...');
      execFileSync(process.env.PYTHON || '/usr/bin/python3', [path.join(ROOT, 'tools', 'bert-base-random', 'make_model.py'), dir], {
        stdio: 'inherit',
      });
    }
    return dir;
  }
  throw new Error(`unknown model ${name} (demo or bert-base)`);
}

module.exports = { modelDir };
