// What the engine needs from a model directory's config.json and tokenizer_config.json.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace engine {

struct ModelConfig {
  std::string name;                 // "_name_or_path", else the directory's name
  std::string model_type;           // "bert", "distilbert", "roberta", ...
  std::vector<std::string> labels;  // id2label in id order; empty if absent
  std::optional<size_t> max_position_embeddings;
  std::optional<size_t> model_max_length;  // tokenizer_config.json, when present and meaningful

  // Reads config.json and tokenizer_config.json from `model_dir`; both are optional, a malformed one is an error.
  static ModelConfig Load(const std::string& model_dir);

  // The longest input the model accepts, special tokens included.
  size_t MaxLength() const;
};

}  // namespace engine
