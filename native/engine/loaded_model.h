// A model directory loaded and ready to run: tokenizer, config and ONNX Runtime session together.
// Every method is safe to call from several threads at once: the tokenizer is immutable and ONNX Runtime
// sessions accept concurrent runs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/model_config.h"
#include "engine/onnx_session.h"
#include "engine/row_features.h"
#include "tokenizer/tokenizer.h"

namespace engine {

struct LoadOptions {
  SessionSettings session;
  size_t max_length = 0;  // 0: the model's own maximum
  // Classify() (warmup, direct use) runs long input lists in batches of at most this many rows, grouped by
  // length so that padding stays small and memory stays bounded.
  size_t max_batch_rows = 32;
  // Drift capture: per text, token counts and the sentence embedding, from the same forward pass.
  bool capture_features = false;
  // The output holding the sentence embedding; "" finds one by name (see FindEmbeddingOutput).
  std::string embedding_output;
};

// Where the sentence embedding comes from, decided at load.
struct EmbeddingSource {
  std::string output;        // "" when the model has none usable
  bool first_token = false;  // [rows, length, dim]: the first token's vector; otherwise [rows, dim]
  size_t dim = 0;
  std::string unavailable;   // why there is none
};

// A forward pass's results: softmax probabilities [rows x labels] and, when asked, embeddings [rows x dim].
struct ForwardResult {
  std::vector<float> probabilities;
  std::vector<float> embeddings;
};

struct ClassifyResult {
  size_t num_labels = 0;
  std::vector<float> probabilities;  // [rows, num_labels]
};

class LoadedModel {
 public:
  // Loads `model_dir` (model.onnx, tokenizer.json, config.json) and runs one warmup batch.
  // Throws MODEL_NOT_FOUND, FILE_MISSING, MODEL_INVALID, TOKENIZER_*, CONFIG_INVALID.
  // The model keeps `env` alive: ONNX Runtime requires the environment to outlive its sessions.
  static std::unique_ptr<LoadedModel> Load(std::shared_ptr<Ort::Env> env, const std::string& model_dir,
                                           const LoadOptions& options);

  ClassifyResult Classify(const std::vector<std::string>& texts);
  std::vector<OutputTensor> RunAll(const std::vector<std::string>& texts);

  // Building blocks of the batcher.
  Encoding Encode(const std::string& text) const;
  // Pads `rows` to their longest member (never to a fixed length).
  BatchTensors Pad(const std::vector<const Encoding*>& rows) const;
  // Softmax probabilities [rows x num_labels()] of a padded batch, row-major.
  std::vector<float> Probabilities(const BatchTensors& batch);
  // Probabilities and, when `with_embedding` and the model has one, each row's embedding: one run.
  ForwardResult Forward(const BatchTensors& batch, bool with_embedding);
  // The features of one encoded text (drift capture).
  RowFeatures Describe(const Encoding& encoding, const std::string& text) const;
  // Checks the logits' shape against the batch and the label count, then turns them into probabilities.
  std::vector<float> Softmax(const BatchTensors& batch, const OutputTensor& logits);
  bool capture_features() const { return capture_features_; }
  const EmbeddingSource& embedding() const { return embedding_; }
  // Labels the classifier outputs (known after the warmup at load); 0 when the model cannot classify.
  size_t num_labels() const { return num_labels_; }

  // Makes the batch in progress fail fast (see OnnxSession::Terminate). Safe to call from any thread.
  void Terminate() { session_->Terminate(); }

  const std::string& path() const { return path_; }
  const ModelConfig& config() const { return config_; }
  const OnnxSession& session() const { return *session_; }
  size_t max_length() const { return max_length_; }
  const SessionSettings& session_settings() const { return session_settings_; }
  // The output classify() reads: "logits", or the only output of a single-output model.
  const std::string& logits_output() const { return logits_output_; }

 private:
  LoadedModel() = default;

  std::shared_ptr<Ort::Env> env_;  // declared first, so destroyed after the session
  std::string path_;
  ModelConfig config_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::unique_ptr<OnnxSession> session_;
  EncodeSettings encode_settings_;
  int64_t pad_id_ = 0;
  size_t max_length_ = 0;
  size_t max_batch_rows_ = 32;
  size_t num_labels_ = 0;
  std::string logits_output_;
  SessionSettings session_settings_;
  bool capture_features_ = false;
  EmbeddingSource embedding_;
  std::optional<uint32_t> unknown_id_;
};

}  // namespace engine
