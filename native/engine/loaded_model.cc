#include "engine/loaded_model.h"

#include <algorithm>
#include <cmath>

#include "core/files.h"

namespace engine {

std::unique_ptr<LoadedModel> LoadedModel::Load(Ort::Env& env, const std::string& model_dir, const LoadOptions& options) {
  std::unique_ptr<LoadedModel> model(new LoadedModel());
  model->path_ = AbsolutePath(model_dir);
  if (!IsDirectory(model->path_)) {
    throw EngineError(ErrorCode::ModelNotFound, "Model directory not found: " + model->path_);
  }
  for (const char* required : {"model.onnx", "tokenizer.json"}) {
    if (!IsRegularFile(JoinPath(model->path_, required))) {
      throw EngineError(ErrorCode::FileMissing,
                        std::string("Model directory ") + model->path_ + " has no " + required +
                            " (a model directory holds model.onnx, tokenizer.json and config.json, as optimum-cli export onnx writes them)");
    }
  }
  model->config_ = ModelConfig::Load(model->path_);
  model->tokenizer_ = Tokenizer::FromFile(JoinPath(model->path_, "tokenizer.json"));
  model->session_ = std::make_unique<OnnxSession>(env, JoinPath(model->path_, "model.onnx"), options.session);

  // Inputs are truncated to what the model accepts (and to tokenizer.json's own limit, if it sets one), and
  // padded per batch by the engine, never to a fixed length: tokenizer.json's padding is ignored here.
  model->max_length_ = model->config_.MaxLength();
  EncodeSettings defaults = model->tokenizer_->DefaultSettings();
  if (defaults.truncation) model->max_length_ = std::min(model->max_length_, defaults.truncation->max_length);
  if (options.max_length > 0) model->max_length_ = std::min(model->max_length_, options.max_length);
  TruncationParams truncation = defaults.truncation.value_or(TruncationParams{});
  truncation.max_length = model->max_length_;
  model->encode_settings_.add_special_tokens = true;
  model->encode_settings_.truncation = truncation;
  if (defaults.padding) model->pad_id_ = defaults.padding->pad_id;

  const auto& outputs = model->session_->outputs();
  if (model->session_->HasOutput("logits")) model->logits_output_ = "logits";
  else if (outputs.size() == 1) model->logits_output_ = outputs[0].name;

  // Warmup: the first run allocates and plans; do it now so the first request is not the slow one. Through
  // Classify when possible, so that a label count that disagrees with the model fails the load, not a request.
  if (model->logits_output_.empty()) model->RunAll({"warmup"});
  else model->Classify({"warmup"});
  return model;
}

BatchTensors LoadedModel::Tokenize(const std::vector<std::string>& texts) const {
  std::vector<Encoding> encodings;
  encodings.reserve(texts.size());
  size_t longest = 1;
  for (const auto& text : texts) {
    encodings.push_back(tokenizer_->Encode(text, nullptr, encode_settings_));
    longest = std::max(longest, encodings.back().size());
  }
  BatchTensors batch;
  batch.rows = texts.size();
  batch.length = longest;
  size_t cells = batch.rows * batch.length;
  batch.input_ids.assign(cells, pad_id_);
  batch.attention_mask.assign(cells, 0);
  batch.token_type_ids.assign(cells, 0);
  for (size_t row = 0; row < encodings.size(); ++row) {
    const Encoding& encoding = encodings[row];
    size_t base = row * batch.length;
    for (size_t i = 0; i < encoding.size(); ++i) {
      batch.input_ids[base + i] = encoding.ids[i];
      batch.attention_mask[base + i] = encoding.attention_mask[i];
      batch.token_type_ids[base + i] = encoding.type_ids[i];
    }
  }
  return batch;
}

std::vector<OutputTensor> LoadedModel::RunAll(const std::vector<std::string>& texts) {
  return session_->Run(Tokenize(texts), {});
}

ClassifyResult LoadedModel::Classify(const std::vector<std::string>& texts) {
  if (logits_output_.empty()) {
    throw EngineError(ErrorCode::ModelInvalid,
                      "the model has no \"logits\" output, so it cannot classify; use run() to read its outputs");
  }
  auto outputs = session_->Run(Tokenize(texts), {logits_output_});
  const OutputTensor& logits = outputs.at(0);
  if (logits.dims.size() != 2 || static_cast<size_t>(logits.dims[0]) != texts.size() || logits.dims[1] <= 0) {
    throw EngineError(ErrorCode::ModelInvalid, "output \"" + logits_output_ + "\" is not shaped [batch, labels]");
  }
  ClassifyResult result;
  result.num_labels = static_cast<size_t>(logits.dims[1]);
  if (!config_.labels.empty() && config_.labels.size() != result.num_labels) {
    throw EngineError(ErrorCode::ConfigInvalid, "config.json id2label has " + std::to_string(config_.labels.size()) +
                                                    " labels but the model outputs " +
                                                    std::to_string(result.num_labels));
  }
  result.probabilities.resize(logits.data.size());
  for (size_t row = 0; row < texts.size(); ++row) {
    const float* in = logits.data.data() + row * result.num_labels;
    float* out = result.probabilities.data() + row * result.num_labels;
    float max = *std::max_element(in, in + result.num_labels);
    double sum = 0;
    for (size_t j = 0; j < result.num_labels; ++j) sum += out[j] = std::exp(in[j] - max);
    for (size_t j = 0; j < result.num_labels; ++j) out[j] = static_cast<float>(out[j] / sum);
  }
  return result;
}

}  // namespace engine
