'use strict';
/**
 * The JS face of the native Tokenizer. The addon packs each encoding into one buffer of numbers plus one string
 * of token text (a handful of N-API calls instead of several per token); `Encoding` unpacks `offsets` and
 * `tokens` only when they are read, so callers that need ids and masks (a classifier) never pay for them.
 */

class Encoding {
  #offsetsFlat;
  #tokenText;
  #tokenLengths;
  #offsets;
  #tokens;

  constructor(packed) {
    this.ids = packed.ids;
    this.typeIds = packed.typeIds;
    this.attentionMask = packed.attentionMask;
    this.specialTokensMask = packed.specialTokensMask;
    this.overflowing = packed.overflowing.map((piece) => new Encoding(piece));
    this.#offsetsFlat = packed.offsetsFlat;
    this.#tokenText = packed.tokenText;
    this.#tokenLengths = packed.tokenLengths;
  }

  /** [start, end) of each token in the input, in Unicode code points. */
  get offsets() {
    if (!this.#offsets) {
      const flat = this.#offsetsFlat;
      this.#offsets = Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);
    }
    return this.#offsets;
  }

  get tokens() {
    if (!this.#tokens) {
      const tokens = new Array(this.#tokenLengths.length);
      let at = 0;
      for (let i = 0; i < tokens.length; i++) {
        tokens[i] = this.#tokenText.slice(at, at + this.#tokenLengths[i]);
        at += this.#tokenLengths[i];
      }
      this.#tokens = tokens;
    }
    return this.#tokens;
  }

  toJSON() {
    const { ids, typeIds, attentionMask, specialTokensMask, offsets, tokens, overflowing } = this;
    return { ids, typeIds, attentionMask, specialTokensMask, offsets, tokens, overflowing };
  }
}

/** Wraps the addon's Tokenizer class; argument errors are still thrown synchronously by the addon. */
function defineTokenizer(NativeTokenizer) {
  return class Tokenizer {
    #native;

    /** Use Tokenizer.fromFile(path). */
    constructor(native) {
      if (!(native instanceof NativeTokenizer)) {
        const error = new TypeError('Tokenizer cannot be constructed directly; use Tokenizer.fromFile(path)');
        error.code = 'INVALID_ARGUMENT';
        throw error;
      }
      this.#native = native;
    }

    static fromFile(path) {
      return NativeTokenizer.fromFile(path).then((native) => new Tokenizer(native));
    }

    encode(text, pair, options) {
      return this.#native.encode(text, pair, options).then((packed) => new Encoding(packed));
    }

    encodeBatch(inputs, options) {
      return this.#native.encodeBatch(inputs, options).then((list) => list.map((packed) => new Encoding(packed)));
    }

    decode(ids, options) {
      return this.#native.decode(ids, options);
    }

    decodeBatch(idLists, options) {
      return this.#native.decodeBatch(idLists, options);
    }
  };
}

module.exports = { Encoding, defineTokenizer };
