// JS class `Tokenizer`: [async] fromFile, encode, encodeBatch, decode, decodeBatch. Encoding runs on libuv worker threads; the
// tokenizer itself is immutable, so concurrent calls share it safely.
#pragma once

#include <napi.h>

#include <memory>

#include "tokenizer/tokenizer.h"

namespace bindings {

class TokenizerWrap : public Napi::ObjectWrap<TokenizerWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  // [async] Tokenizer.fromFile(path: string) → Promise<Tokenizer>
  static Napi::Value FromFile(const Napi::CallbackInfo& info);

  // Called by fromFile only (with the tokenizer as an External); `new Tokenizer()` from JS throws.
  explicit TokenizerWrap(const Napi::CallbackInfo& info);

 private:
  // [async] encode(text: string, pair?: string | null, options?) → Promise<Encoding>
  Napi::Value Encode(const Napi::CallbackInfo& info);
  // [async] encodeBatch(inputs: (string | [string, string])[], options?) → Promise<Encoding[]>
  Napi::Value EncodeBatch(const Napi::CallbackInfo& info);
  // [async] decode(ids: number[] | Uint32Array, options?: { skipSpecialTokens }) → Promise<string>
  Napi::Value Decode(const Napi::CallbackInfo& info);
  // [async] decodeBatch(idLists: (number[] | Uint32Array)[], options?) → Promise<string[]>
  Napi::Value DecodeBatch(const Napi::CallbackInfo& info);

  std::shared_ptr<const engine::Tokenizer> tokenizer_;
};

}  // namespace bindings
