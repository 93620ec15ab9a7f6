#include "engine/loaded_model.h"

#include <algorithm>
#include <cmath>

#include "core/files.h"

namespace engine {

namespace {

// Output names that hold one vector per text, in order of preference (sentence-transformers, Hugging Face
// pooled output, generic names), then the hidden states whose first token ([CLS]/<s>) stands for the text.
const char* const kPooledNames[] = {"sentence_embedding", "pooler_output", "pooled_output", "embeddings",
                                    "sentence_embeddings", "embedding"};

EmbeddingSource FindEmbeddingOutput(const OnnxSession& session, const std::string& requested) {
  EmbeddingSource source;
  auto accept = [&](const TensorSpec& spec) {
    if (spec.dims.size() == 2 || spec.dims.size() == 3) {
      source.output = spec.name;
      source.first_token = spec.dims.size() == 3;
      source.dim = spec.dims.back() > 0 ? static_cast<size_t>(spec.dims.back()) : 0;  // else known after warmup
      return true;
    }
    source.unavailable = "output \"" + spec.name + "\" has " + std::to_string(spec.dims.size()) +
                         " dimensions; an embedding needs [batch, dim] or [batch, tokens, dim]";
    return false;
  };
  const auto& outputs = session.outputs();
  if (!requested.empty()) {
    for (const auto& spec : outputs) {
      if (spec.name == requested) {
        accept(spec);
        return source;
      }
    }
    std::string names;
    for (const auto& spec : outputs) names += (names.empty() ? "" : ", ") + spec.name;
    source.unavailable = "the model has no output \"" + requested + "\" (named by embeddingOutput); its outputs: " + names;
    return source;
  }
  for (const char* name : kPooledNames) {
    for (const auto& spec : outputs) {
      if (spec.name == name && accept(spec)) return source;
    }
  }
  for (const auto& spec : outputs) {
    if (spec.name == "last_hidden_state" && accept(spec)) return source;
  }
  if (source.unavailable.empty()) {
    std::string names;
    for (const auto& spec : outputs) names += (names.empty() ? "" : ", ") + spec.name;
    source.unavailable = "the model outputs only " + names +
                         "; no output named like sentence_embedding, pooler_output, embeddings or last_hidden_state "
                         "(add one with tools/add-embedding-output, or name one with embeddingOutput)";
  }
  return source;
}

}  // namespace

std::unique_ptr<LoadedModel> LoadedModel::Load(std::shared_ptr<Ort::Env> env, const std::string& model_dir,
                                               const LoadOptions& options) {
  std::unique_ptr<LoadedModel> model(new LoadedModel());
  model->env_ = std::move(env);
  model->path_ = AbsolutePath(model_dir);
  model->max_batch_rows_ = std::max<size_t>(1, options.max_batch_rows);
  model->session_settings_ = options.session;
  if (!IsDirectory(model->path_)) {
    throw EngineError(ErrorCode::ModelNotFound, "Model directory not found: " + model->path_);
  }
  for (const char* required : {"model.onnx", "tokenizer.json"}) {
    if (!IsRegularFile(JoinPath(model->path_, required))) {
      throw EngineError(ErrorCode::FileMissing,
                        std::string("Model directory ") + model->path_ + " has no " + required +
                            " (model.onnx and tokenizer.json are required; optimum-cli export onnx writes both)");
    }
  }
  model->config_ = ModelConfig::Load(model->path_);
  model->tokenizer_ = Tokenizer::FromFile(JoinPath(model->path_, "tokenizer.json"));
  model->session_ = std::make_unique<OnnxSession>(*model->env_, JoinPath(model->path_, "model.onnx"), options.session);

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

  model->capture_features_ = options.capture_features;
  model->unknown_id_ = model->tokenizer_->UnknownId();
  model->embedding_ = FindEmbeddingOutput(*model->session_, options.embedding_output);
  if (!model->embedding_.output.empty() && model->embedding_.output == model->logits_output_) {
    model->embedding_ = EmbeddingSource{};
    model->embedding_.unavailable = "the only output is the classifier's; it is not an embedding";
  }


  // Warmup: the first run allocates and plans; do it now so the first request is not the slow one. Through
  // Classify when possible, so that a label count that disagrees with the model fails the load, not a request.
  if (model->logits_output_.empty()) {
    model->RunAll({"warmup"});
  } else {
    model->num_labels_ = model->Classify({"warmup"}).num_labels;
    if (!model->embedding_.output.empty() && model->embedding_.dim == 0) {
      // A symbolic width: learn it from one run (the load is the place to find out, not a request).
      Encoding warm = model->Encode("warmup");
      model->embedding_.dim = model->Forward(model->Pad({&warm}), true).embeddings.size();
      if (model->embedding_.dim == 0) {
        model->embedding_.unavailable = "output \"" + model->embedding_.output + "\" returned no values";
        model->embedding_.output.clear();
      }
    }
    const auto& labels = model->config_.labels;
    if (!labels.empty() && labels.size() != model->num_labels_) {
      throw EngineError(ErrorCode::ConfigInvalid, "config.json id2label has " + std::to_string(labels.size()) +
                                                      " labels but the model outputs " +
                                                      std::to_string(model->num_labels_));
    }
  }
  return model;
}

Encoding LoadedModel::Encode(const std::string& text) const {
  return tokenizer_->Encode(text, nullptr, encode_settings_);
}

BatchTensors LoadedModel::Pad(const std::vector<const Encoding*>& rows) const {
  BatchTensors batch;
  batch.rows = rows.size();
  batch.length = 1;
  for (const Encoding* row : rows) batch.length = std::max(batch.length, row->size());
  size_t cells = batch.rows * batch.length;
  batch.input_ids.assign(cells, pad_id_);
  batch.attention_mask.assign(cells, 0);
  batch.token_type_ids.assign(cells, 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    const Encoding& encoding = *rows[r];
    size_t base = r * batch.length;
    for (size_t i = 0; i < encoding.size(); ++i) {
      batch.input_ids[base + i] = encoding.ids[i];
      batch.attention_mask[base + i] = encoding.attention_mask[i];
      batch.token_type_ids[base + i] = encoding.type_ids[i];
    }
  }
  return batch;
}

std::vector<OutputTensor> LoadedModel::RunAll(const std::vector<std::string>& texts) {
  // One batch, so every output keeps its natural [rows, ...] shape.
  std::vector<Encoding> encodings;
  encodings.reserve(texts.size());
  for (const auto& text : texts) encodings.push_back(Encode(text));
  std::vector<const Encoding*> rows;
  for (const auto& encoding : encodings) rows.push_back(&encoding);
  return session_->Run(Pad(rows), {});
}

std::vector<float> LoadedModel::Probabilities(const BatchTensors& batch) {
  return Forward(batch, false).probabilities;
}

RowFeatures LoadedModel::Describe(const Encoding& encoding, const std::string& text) const {
  return DescribeEncoding(encoding, text, max_length_, unknown_id_);
}

ForwardResult LoadedModel::Forward(const BatchTensors& batch, bool with_embedding) {
  if (logits_output_.empty()) {
    throw EngineError(ErrorCode::ModelInvalid,
                      "the model has no \"logits\" output, so it cannot classify; use run() to read its outputs");
  }
  with_embedding = with_embedding && !embedding_.output.empty();
  std::vector<std::string> names{logits_output_};
  if (with_embedding) names.push_back(embedding_.output);
  ForwardResult result;
  if (with_embedding) {
    std::vector<Ort::Value> values = session_->RunValues(batch, names);
    auto shape = values.at(1).GetTensorTypeAndShapeInfo().GetShape();
    size_t expected_rank = embedding_.first_token ? 3 : 2;
    if (shape.size() != expected_rank || static_cast<size_t>(shape[0]) != batch.rows || shape.back() <= 0 ||
        (embedding_.dim != 0 && static_cast<size_t>(shape.back()) != embedding_.dim)) {
      throw EngineError(ErrorCode::InferenceFailed, "embedding output \"" + embedding_.output +
                                                        "\" changed shape between batches");
    }
    size_t dim = static_cast<size_t>(shape.back());
    // Per row, only the first token's vector: row r starts at r * length * dim in a [rows, length, dim] tensor.
    size_t row_stride = embedding_.first_token ? static_cast<size_t>(shape[1]) * dim : dim;
    result.embeddings.resize(batch.rows * dim);
    for (size_t r = 0; r < batch.rows; ++r) CopyAsFloat(values[1], r * row_stride, dim, result.embeddings.data() + r * dim);
    // Only the logits tensor is copied whole (it is small).
    auto logits_info = values[0].GetTensorTypeAndShapeInfo();
    OutputTensor logits_tensor;
    logits_tensor.dims = logits_info.GetShape();
    logits_tensor.data.resize(logits_info.GetElementCount());
    CopyAsFloat(values[0], 0, logits_tensor.data.size(), logits_tensor.data.data());
    result.probabilities = Softmax(batch, logits_tensor);
  } else {
    auto outputs = session_->Run(batch, names);
    result.probabilities = Softmax(batch, outputs.at(0));
  }
  return result;
}

std::vector<float> LoadedModel::Softmax(const BatchTensors& batch, const OutputTensor& logits) {
  if (logits.dims.size() != 2 || static_cast<size_t>(logits.dims[0]) != batch.rows || logits.dims[1] <= 0) {
    throw EngineError(ErrorCode::ModelInvalid, "output \"" + logits_output_ + "\" is not shaped [batch, labels]");
  }
  size_t labels = static_cast<size_t>(logits.dims[1]);
  if (num_labels_ != 0 && labels != num_labels_) {
    throw EngineError(ErrorCode::InferenceFailed, "output \"" + logits_output_ + "\" changed from " +
                                                      std::to_string(num_labels_) + " to " + std::to_string(labels) +
                                                      " labels between batches");
  }
  std::vector<float> probabilities(logits.data.size());
  for (size_t row = 0; row < batch.rows; ++row) {
    const float* in = logits.data.data() + row * labels;
    float* out = probabilities.data() + row * labels;
    float max = *std::max_element(in, in + labels);
    double sum = 0;
    for (size_t j = 0; j < labels; ++j) sum += out[j] = std::exp(in[j] - max);
    for (size_t j = 0; j < labels; ++j) out[j] = static_cast<float>(out[j] / sum);
  }
  return probabilities;
}

ClassifyResult LoadedModel::Classify(const std::vector<std::string>& texts) {
  std::vector<Encoding> encodings;
  encodings.reserve(texts.size());
  for (const auto& text : texts) encodings.push_back(Encode(text));
  // Group rows of similar length so each batch pads little; results go back to their input positions.
  std::vector<size_t> order(encodings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return encodings[a].size() < encodings[b].size(); });
  ClassifyResult result;
  for (size_t start = 0; start < order.size(); start += max_batch_rows_) {
    size_t end = std::min(order.size(), start + max_batch_rows_);
    std::vector<const Encoding*> rows;
    for (size_t i = start; i < end; ++i) rows.push_back(&encodings[order[i]]);
    std::vector<float> probabilities = Probabilities(Pad(rows));
    size_t labels = probabilities.size() / rows.size();
    if (result.num_labels == 0) {
      result.num_labels = labels;
      result.probabilities.assign(encodings.size() * labels, 0.0f);
    }
    for (size_t r = 0; r < rows.size(); ++r) {
      std::copy_n(probabilities.begin() + r * labels, labels, result.probabilities.begin() + order[start + r] * labels);
    }
  }
  return result;
}

}  // namespace engine
