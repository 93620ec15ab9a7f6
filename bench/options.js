'use strict';
/**
 * The command-line options of the benchmarks: `--name value` (or `--name=value`) for every name in `defaults`,
 * parsed with Node's own util.parseArgs. A value takes the type of its default: a number default makes the option
 * a number, anything else a string. An unknown option, a missing value or a number that does not parse throws,
 * naming the option, so a mistyped flag never silently runs the defaults.
 */
const { parseArgs } = require('node:util');

function benchOptions(defaults, args = process.argv.slice(2)) {
  const options = Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: 'string' }]));
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  const parsed = { ...defaults };
  for (const [name, raw] of Object.entries(values)) {
    if (typeof defaults[name] !== 'number') {
      parsed[name] = raw;
      continue;
    }
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`option --${name} expects a number, got "${raw}"`);
    parsed[name] = value;
  }
  return parsed;
}

module.exports = { benchOptions };
