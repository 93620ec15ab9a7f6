#include "engine/onnx_session.h"

#include <cstdint>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/thread_name.h"
#include "core/thread_priority.h"

namespace engine {

namespace {

std::vector<TensorSpec> DescribeTensors(const Ort::Session& session, bool inputs) {
  Ort::AllocatorWithDefaultOptions allocator;
  size_t count = inputs ? session.GetInputCount() : session.GetOutputCount();
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < count; ++i) {
    TensorSpec spec;
    auto name = inputs ? session.GetInputNameAllocated(i, allocator) : session.GetOutputNameAllocated(i, allocator);
    spec.name = name.get();
    Ort::TypeInfo type_info = inputs ? session.GetInputTypeInfo(i) : session.GetOutputTypeInfo(i);
    if (type_info.GetONNXType() == ONNX_TYPE_TENSOR) {
      auto tensor_info = type_info.GetTensorTypeAndShapeInfo();
      spec.type = tensor_info.GetElementType();
      spec.dims = tensor_info.GetShape();
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

// Builds an input tensor of the element type the model declares (int64 for optimum exports, int32 for some).
Ort::Value MakeInput(const Ort::MemoryInfo& memory_info, const TensorSpec& spec, const std::vector<int64_t>& values,
                     const std::array<int64_t, 2>& shape, std::vector<std::vector<int32_t>>& int32_storage) {
  if (spec.type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) {
    int32_storage.emplace_back(values.begin(), values.end());
    auto& data = int32_storage.back();
    return Ort::Value::CreateTensor<int32_t>(memory_info, data.data(), data.size(), shape.data(), shape.size());
  }
  // ONNX Runtime only reads inputs; the API takes a non-const pointer.
  auto* data = const_cast<int64_t*>(values.data());
  return Ort::Value::CreateTensor<int64_t>(memory_info, data, values.size(), shape.data(), shape.size());
}

}  // namespace

void CopyAsFloat(const Ort::Value& value, size_t offset, size_t count, float* out) {
  auto type = value.GetTensorTypeAndShapeInfo().GetElementType();
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      std::memcpy(out, value.GetTensorData<float>() + offset, count * sizeof(float));
      break;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: {
      const double* data = value.GetTensorData<double>() + offset;
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(data[i]);
      break;
    }
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: {
      const Ort::Float16_t* data = value.GetTensorData<Ort::Float16_t>() + offset;
      for (size_t i = 0; i < count; ++i) out[i] = data[i].ToFloat();
      break;
    }
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
      const int64_t* data = value.GetTensorData<int64_t>() + offset;
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(data[i]);
      break;
    }
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: {
      const int32_t* data = value.GetTensorData<int32_t>() + offset;
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(data[i]);
      break;
    }
    default:
      throw EngineError(ErrorCode::InferenceFailed,
                        std::string("model output has element type ") + ElementTypeName(type) +
                            ", which the engine cannot return as numbers");
  }
}

const char* ElementTypeName(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: return "uint16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: return "int16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING: return "string";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: return "float64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: return "uint32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: return "uint64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: return "bfloat16";
    default: return "unknown";
  }
}

OrtCustomThreadHandle CreateNicedOrtThread(void* niceness, OrtThreadWorkerFn work, void* param) {
  const int step = static_cast<int>(reinterpret_cast<intptr_t>(niceness));
  auto* thread = new std::thread([step, work, param] {
    NameThisThread("engine-intra-op");
    LowerThisThreadPriority(step);
    work(param);
  });
  return reinterpret_cast<OrtCustomThreadHandle>(thread);
}

void JoinNicedOrtThread(OrtCustomThreadHandle handle) {
  auto* thread = reinterpret_cast<std::thread*>(const_cast<OrtCustomHandleType*>(handle));
  thread->join();
  delete thread;
}

void* NicenessAsThreadCreationOptions(int niceness) { return reinterpret_cast<void*>(static_cast<intptr_t>(niceness)); }

OnnxSession::OnnxSession(Ort::Env& env, const std::string& model_path, const SessionSettings& settings) {
  Ort::SessionOptions options;
  try {
    if (settings.shared_threads) {
      options.DisablePerSessionThreads();
    } else {
      if (settings.intra_op_threads > 0) options.SetIntraOpNumThreads(settings.intra_op_threads);
      if (settings.inter_op_threads > 0) options.SetInterOpNumThreads(settings.inter_op_threads);
      if (settings.thread_niceness > 0) {
        options.SetCustomCreateThreadFn(CreateNicedOrtThread);
        options.SetCustomThreadCreationOptions(NicenessAsThreadCreationOptions(settings.thread_niceness));
        options.SetCustomJoinThreadFn(JoinNicedOrtThread);
      }
    }
    options.SetGraphOptimizationLevel(settings.optimization);
    // ONNX Runtime's intra-op threads spin between operators by default, which steals the cores the JS thread,
    // the batcher and the other runners need while they work alongside inference; they sleep instead.
    if (!settings.spin_threads) options.AddConfigEntry("session.intra_op.allow_spinning", "0");
    if (!settings.optimized_model_path.empty()) options.SetOptimizedModelFilePath(settings.optimized_model_path.c_str());
  } catch (const Ort::Exception& error) {
    throw EngineError(ErrorCode::InvalidArgument, std::string("ONNX Runtime rejected the session settings: ") + error.what());
  }
  if (settings.device != Device::Cpu) {
    try {
      OrtCUDAProviderOptions cuda{};
      cuda.device_id = settings.device_id;
      options.AppendExecutionProvider_CUDA(cuda);
      execution_provider_ = "cuda";
    } catch (const Ort::Exception& error) {
      std::string reason = std::string("the CUDA execution provider is not usable: ") + error.what();
      if (settings.device == Device::Cuda) {
        throw EngineError(ErrorCode::DeviceUnavailable,
                          "device 'cuda' was requested but " + reason +
                              " (install onnxruntime-node's CUDA libraries with onnxruntime-node-install=cuda12, or use device 'auto' or 'cpu')");
      }
      fallback_reason_ = reason + "; running on the CPU";
    }
  }
  try {
    session_ = Ort::Session(env, model_path.c_str(), options);
  } catch (const Ort::Exception& error) {
    if (settings.device != Device::Auto || execution_provider_ != "cuda") {
      throw EngineError(ErrorCode::ModelInvalid, "ONNX Runtime cannot load " + model_path + ": " + error.what());
    }
    // CUDA was accepted as a provider but the session could not start on it (no driver, no device): auto
    // means "CUDA if it works", so try again on the CPU alone.
    SessionSettings cpu = settings;
    cpu.device = Device::Cpu;
    *this = OnnxSession(env, model_path, cpu);
    fallback_reason_ = std::string("the session could not start on CUDA: ") + error.what() + "; running on the CPU";
    return;
  }
  try {
    memory_info_ = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  } catch (const Ort::Exception& error) {
    throw EngineError(ErrorCode::Internal, std::string("ONNX Runtime could not describe CPU memory: ") + error.what());
  }
  inputs_ = DescribeTensors(session_, true);
  outputs_ = DescribeTensors(session_, false);
  bool has_ids = false;
  for (const auto& input : inputs_) {
    if (input.name == "input_ids") has_ids = true;
    if (input.name != "input_ids" && input.name != "attention_mask" && input.name != "token_type_ids") {
      throw EngineError(ErrorCode::ModelInvalid,
                        model_path + " has an input \"" + input.name +
                            "\"; the engine feeds only input_ids, attention_mask and token_type_ids");
    }
    if (input.type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 && input.type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) {
      throw EngineError(ErrorCode::ModelInvalid, model_path + " input \"" + input.name + "\" has element type " +
                                                     ElementTypeName(input.type) + "; expected int64 or int32");
    }
  }
  if (!has_ids) throw EngineError(ErrorCode::ModelInvalid, model_path + " has no input named \"input_ids\"");
}

void OnnxSession::Terminate() { run_options_.SetTerminate(); }

bool OnnxSession::HasInput(const std::string& name) const {
  for (const auto& input : inputs_) if (input.name == name) return true;
  return false;
}

bool OnnxSession::HasOutput(const std::string& name) const {
  for (const auto& output : outputs_) if (output.name == name) return true;
  return false;
}

std::vector<Ort::Value> OnnxSession::RunValues(const BatchTensors& batch, const std::vector<std::string>& names) {
  const std::array<int64_t, 2> shape{static_cast<int64_t>(batch.rows), static_cast<int64_t>(batch.length)};
  std::vector<const char*> input_names;
  std::vector<Ort::Value> input_values;
  std::vector<std::vector<int32_t>> int32_storage;
  int32_storage.reserve(inputs_.size());
  for (const auto& spec : inputs_) {
    const std::vector<int64_t>* values = &batch.input_ids;
    if (spec.name == "attention_mask") values = &batch.attention_mask;
    if (spec.name == "token_type_ids") values = &batch.token_type_ids;
    input_names.push_back(spec.name.c_str());
    input_values.push_back(MakeInput(memory_info_, spec, *values, shape, int32_storage));
  }
  std::vector<const char*> output_names;
  if (names.empty()) {
    for (const auto& spec : outputs_) output_names.push_back(spec.name.c_str());
  } else {
    for (const auto& name : names) output_names.push_back(name.c_str());
  }
  try {
    return session_.Run(run_options_, input_names.data(), input_values.data(), input_values.size(),
                        output_names.data(), output_names.size());
  } catch (const Ort::Exception& error) {
    throw EngineError(ErrorCode::InferenceFailed, std::string("ONNX Runtime failed to run the batch: ") + error.what());
  }
}

std::vector<OutputTensor> OnnxSession::Run(const BatchTensors& batch, const std::vector<std::string>& names) {
  std::vector<Ort::Value> values = RunValues(batch, names);
  std::vector<OutputTensor> outputs;
  for (size_t i = 0; i < values.size(); ++i) {
    auto info = values[i].GetTensorTypeAndShapeInfo();
    OutputTensor output;
    output.name = names.empty() ? outputs_[i].name : names[i];
    output.dims = info.GetShape();
    output.data.resize(info.GetElementCount());
    CopyAsFloat(values[i], 0, output.data.size(), output.data.data());
    outputs.push_back(std::move(output));
  }
  return outputs;
}

}  // namespace engine
