// A model directory loaded and ready to run: tokenizer, config and ONNX Runtime session together.
// Every method is safe to call from several threads at once: the tokenizer is immutable and ONNX Runtime
// sessions accept concurrent runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/model_config.h"
#include "engine/onnx_session.h"
#include "tokenizer/tokenizer.h"

namespace engine {

struct LoadOptions {
  SessionSettings session;
  size_t max_length = 0;  // 0: the model's own maximum
  // Classify() (warmup, direct use) runs long input lists in batches of at most this many rows, grouped by
  // length so that padding stays small and memory stays bounded.
  size_t max_batch_rows = 32;
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
};

}  // namespace engine
