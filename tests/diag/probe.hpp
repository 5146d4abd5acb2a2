// The probe library (probe_module.cpp) opened with dlopen for one test, and
// closed again when the test ends.
#pragma once

#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace diag_test {

inline const std::filesystem::path kProbePath = HOTMOD_DIAG_PROBE;

class Probe {
 public:
  explicit Probe(const std::filesystem::path& path = kProbePath)
      : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
  }
  ~Probe() { close(); }
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  void close() {
    if (handle_ != nullptr) dlclose(handle_);
    handle_ = nullptr;
  }
  void* handle() const { return handle_; }

  // The entry point `name`, typed as `F` (a function pointer type).
  template <class F>
  F get(const char* name) const {
    void* symbol = dlsym(handle_, name);
    if (symbol == nullptr) throw std::runtime_error(std::string("dlsym ") + name);
    return reinterpret_cast<F>(symbol);
  }

 private:
  void* handle_;
};

}  // namespace diag_test
