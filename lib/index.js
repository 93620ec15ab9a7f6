'use strict';
/**
 * The package's main entry: the native engine's classes, loaded from the addon that `npm ci` builds.
 * API and error codes: see index.d.ts.
 */
const path = require('node:path');
const { defineTokenizer } = require('./tokenizer');

function loadAddon() {
  const file = process.env.CLASSIFIER_ENGINE_ADDON || path.join(__dirname, '..', 'build', 'Release', 'classifier_engine.node');
  try {
    return require(file);
  } catch (error) {
    const wrapped = new Error(
      `Cannot load the native engine from ${file}: ${error.message}. ` +
        'It is built by `npm ci` (or `npm run build:native`); see README.md, "Prerequisites".',
    );
    wrapped.code = 'ADDON_NOT_BUILT';
    wrapped.cause = error;
    throw wrapped;
  }
}

const addon = loadAddon();

module.exports = {
  Engine: addon.Engine,
  Tokenizer: defineTokenizer(addon.Tokenizer),
  ERROR_CODES: Object.freeze([...addon.ERROR_CODES]),
};
