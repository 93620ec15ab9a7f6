#include "tokenizer/model.h"

#include "tokenizer/bpe.h"
#include "tokenizer/unigram.h"
#include "tokenizer/word_level.h"
#include "tokenizer/wordpiece.h"

namespace engine {

namespace {

// Hugging Face tries the models in this order when "type" is absent: BPE, WordPiece, WordLevel, Unigram.
std::string InferModelType(const JsonReader& reader) {
  const Json& object = reader.object();
  if (object.contains("merges")) return "BPE";
  const auto vocab = object.find("vocab");
  if (vocab != object.end() && vocab->is_array()) return "Unigram";
  if (object.contains("continuing_subword_prefix") || object.contains("max_input_chars_per_word")) return "WordPiece";
  if (vocab != object.end() && vocab->is_object()) return "WordLevel";
  reader.Fail("has no \"type\" and its fields match no known model");
}

}  // namespace

std::unique_ptr<Model> MakeModel(const Json& config) {
  JsonReader reader(config, "tokenizer.json model", ErrorCode::TokenizerInvalid);
  std::string type = reader.Has("type") ? reader.String("type") : InferModelType(reader);
  if (type == "BPE") return std::make_unique<Bpe>(reader);
  if (type == "WordPiece") return std::make_unique<WordPiece>(reader);
  if (type == "WordLevel") return std::make_unique<WordLevel>(reader);
  if (type == "Unigram") return std::make_unique<Unigram>(reader);
  throw EngineError(ErrorCode::TokenizerUnsupported,
                    "tokenizer.json uses the model \"" + type + "\", which this engine does not support yet");
}

}  // namespace engine
