// Small filesystem helpers that turn I/O failures into EngineErrors with the path in the message.
#pragma once

#include <string>

#include "core/error.h"

namespace engine {

bool IsDirectory(const std::string& path);
bool IsRegularFile(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);
std::string AbsolutePath(const std::string& path);
std::string BaseName(const std::string& path);

// Reads a whole file. A missing file throws `missing_code`; other failures throw the same code with the OS reason.
std::string ReadFile(const std::string& path, ErrorCode missing_code);

}  // namespace engine
