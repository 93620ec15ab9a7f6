#include "engine/model_config.h"

#include <algorithm>
#include <map>

#include "core/files.h"
#include "core/json.h"

namespace engine {

namespace {

// Transformers writes model_max_length = int(1e30) when a tokenizer has no limit of its own.
constexpr int64_t kUnboundedModelMaxLength = 1'000'000;
constexpr size_t kDefaultMaxLength = 512;

std::vector<std::string> ReadLabels(const JsonReader& reader) {
  std::vector<std::string> labels;
  if (!reader.Has("id2label")) return labels;
  const Json& id2label = reader.Required("id2label");
  if (!id2label.is_object()) reader.Fail("field \"id2label\" must be an object of id → label");
  std::map<size_t, std::string> by_id;
  for (auto it = id2label.begin(); it != id2label.end(); ++it) {
    size_t id = 0;
    try {
      size_t used = 0;
      id = std::stoul(it.key(), &used);
      if (used != it.key().size()) throw std::invalid_argument(it.key());
    } catch (const std::exception&) {
      reader.Fail("id2label key \"" + it.key() + "\" is not a label id");
    }
    if (!it.value().is_string()) reader.Fail("id2label[" + it.key() + "] must be a string");
    by_id[id] = it.value().get<std::string>();
  }
  size_t expected = 0;
  for (const auto& [id, label] : by_id) {
    if (id != expected++) reader.Fail("id2label ids must be 0..n-1 without gaps");
    labels.push_back(label);
  }
  return labels;
}

}  // namespace

ModelConfig ModelConfig::Load(const std::string& model_dir) {
  ModelConfig config;
  config.name = BaseName(model_dir);
  // config.json is optional: bare encoders (embedding models, some hand-made exports) ship without one; they
  // then have no labels, and classify() names classes LABEL_0, LABEL_1, ...
  const std::string config_path = JoinPath(model_dir, "config.json");
  if (IsRegularFile(config_path)) {
    Json root = ParseJson(ReadFile(config_path, ErrorCode::FileMissing), config_path, ErrorCode::ConfigInvalid);
    JsonReader reader(root, config_path, ErrorCode::ConfigInvalid);
    std::string name = reader.String("_name_or_path", "");
    if (!name.empty()) config.name = name;
    config.model_type = reader.String("model_type", "");
    config.labels = ReadLabels(reader);
    if (reader.Has("max_position_embeddings")) {
      int64_t value = reader.Int("max_position_embeddings");
      if (value <= 0) reader.Fail("field \"max_position_embeddings\" must be positive");
      config.max_position_embeddings = static_cast<size_t>(value);
    }
  }

  const std::string tokenizer_config_path = JoinPath(model_dir, "tokenizer_config.json");
  if (IsRegularFile(tokenizer_config_path)) {
    Json tokenizer_root = ParseJson(ReadFile(tokenizer_config_path, ErrorCode::FileMissing), tokenizer_config_path,
                                    ErrorCode::ConfigInvalid);
    if (tokenizer_root.is_object()) {
      auto it = tokenizer_root.find("model_max_length");
      // Transformers writes 1e30 as a float when there is no limit; only a sane integer means something.
      if (it != tokenizer_root.end() && it->is_number() && it->get<double>() > 0 &&
          it->get<double>() < kUnboundedModelMaxLength) {
        config.model_max_length = static_cast<size_t>(it->get<double>());
      }
    }
  }
  return config;
}

size_t ModelConfig::MaxLength() const {
  if (model_max_length) return *model_max_length;
  if (max_position_embeddings) {
    // RoBERTa-family position ids start after the padding index, so two positions are never usable.
    bool offset_positions = model_type == "roberta" || model_type == "xlm-roberta" || model_type == "camembert" ||
                            model_type == "longformer";
    size_t positions = *max_position_embeddings;
    return offset_positions && positions > 2 ? positions - 2 : positions;
  }
  return kDefaultMaxLength;
}

}  // namespace engine
