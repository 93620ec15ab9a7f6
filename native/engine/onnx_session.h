// One ONNX Runtime session over model.onnx, with its inputs discovered by name. Not thread-safe by design:
// one runner thread owns it (ONNX Runtime parallelises inside Run with its own intra-op threads).
#pragma once

#include <onnxruntime_cxx_api.h>

#include <memory>
#include <string>
#include <vector>

namespace engine {

enum class Device { Cpu, Cuda, Auto };

struct SessionSettings {
  int intra_op_threads = 0;  // 0: ONNX Runtime's default (one per physical core)
  int inter_op_threads = 1;
  // Cpu: the CPU execution provider. Cuda: CUDA or fail with DEVICE_UNAVAILABLE. Auto: CUDA when usable,
  // otherwise CPU, with the reason kept in fallback_reason().
  Device device = Device::Cpu;
  int device_id = 0;
  GraphOptimizationLevel optimization = GraphOptimizationLevel::ORT_ENABLE_ALL;
  bool spin_threads = false;
  // Run on the Env's global intra-op/inter-op pools instead of threads of this session's own, so several
  // loaded models (production, canary, shadow) share the cores instead of each bringing a full set. The Env must
  // have been created with global thread pools; intra_op_threads / inter_op_threads are then not used.
  bool shared_threads = false;
  // Nice levels this session's own intra-op threads run below the process (0-19; BatchingOptions says why). Not
  // applied to the shared pools, which belong to the whole addon instance.
  int thread_niceness = 0;
  // When set, ONNX Runtime writes the optimized graph here (and a later load may point model_path at it).
  std::string optimized_model_path;
};

// ONNX Runtime creates its intra-op threads itself, on whichever thread builds the pool. These hooks
// (Set[Global]CustomCreateThreadFn / ...JoinThreadFn) create them instead, so that each names itself
// "engine-intra-op" and lowers its own priority (nice values are per thread on Linux) by the niceness passed as the
// creation options: NicenessAsThreadCreationOptions(n). The value travels in the pointer itself, so nothing has to
// outlive the pool.
OrtCustomThreadHandle CreateNicedOrtThread(void* niceness, OrtThreadWorkerFn work, void* param);
void JoinNicedOrtThread(OrtCustomThreadHandle handle);
void* NicenessAsThreadCreationOptions(int niceness);

struct TensorSpec {
  std::string name;
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> dims;  // -1 for symbolic dimensions
};

// A padded batch in row-major [rows, length] layout.
struct BatchTensors {
  size_t rows = 0;
  size_t length = 0;
  std::vector<int64_t> input_ids;
  std::vector<int64_t> attention_mask;
  std::vector<int64_t> token_type_ids;
};

struct OutputTensor {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<float> data;
};

const char* ElementTypeName(ONNXTensorElementDataType type);

// Copies `count` elements of a numeric tensor from element `offset` on into `out` as float32.
// Throws INFERENCE_FAILED for element types that are not numbers.
void CopyAsFloat(const Ort::Value& value, size_t offset, size_t count, float* out);

class OnnxSession {
 public:
  // Throws MODEL_INVALID with ONNX Runtime's message when model.onnx cannot be loaded or has inputs other than
  // input_ids / attention_mask / token_type_ids.
  OnnxSession(Ort::Env& env, const std::string& model_path, const SessionSettings& settings);

  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  // "cuda" or "cpu": the execution provider the session runs on.
  const std::string& execution_provider() const { return execution_provider_; }
  // Why Device::Auto fell back to the CPU ("" when it did not).
  const std::string& fallback_reason() const { return fallback_reason_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }
  bool HasInput(const std::string& name) const;
  bool HasOutput(const std::string& name) const;

  // Runs the batch; returns the requested outputs (all when `names` is empty) as float32.
  // Throws INFERENCE_FAILED with ONNX Runtime's message.
  std::vector<OutputTensor> Run(const BatchTensors& batch, const std::vector<std::string>& names);
  // The same run, with the outputs left as ONNX Runtime values, so a caller can read only the part it needs
  // (the first token of a [rows, length, dim] hidden state) instead of copying all of it.
  std::vector<Ort::Value> RunValues(const BatchTensors& batch, const std::vector<std::string>& names);
  // Makes the run in progress (and every later one) fail fast. Safe to call from any thread.
  void Terminate();

 private:
  Ort::Session session_{nullptr};
  Ort::MemoryInfo memory_info_{nullptr};
  Ort::RunOptions run_options_;
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
  std::string execution_provider_ = "cpu";
  std::string fallback_reason_;
};

}  // namespace engine
