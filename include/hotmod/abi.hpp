// hotmod/abi.hpp — the binary contract between a host and its modules.
//
// Host and modules exchange C++ objects (std::string, hotmod::Value,
// std::function), so both sides must agree on everything that changes their
// layout. Each module carries an AbiFingerprint twice:
//   * in an ELF section (`.hotmod_abi`) that the loader reads from the file
//     *before* dlopen, so a mismatched module never runs a single constructor;
//   * in its exported descriptor symbol, checked again after opening.
// A mismatch names both sides, field by field.
#pragma once

#include <cstdint>

namespace hotmod::abi {

// Bump whenever any struct that crosses the boundary changes
// (Descriptor, ModuleDef, Context, EventBus, Logger, interface cells).
// 2: ModuleDef::on_dependency_reloaded.
// 3: Error carries Stage and Failure; InvokeFn returns a Failure.
// 4: Context's virtual functions reordered (import_interface is protected).
// 5: exported functions as constant FunctionInfo records; ValueOps.
// 6: Context::config_data and import_interface's CellHandle (module.hpp
//    declares no Value); ModuleDef trivially destructible (interfaces linked, StateDef::type a
//    string_view); the host words conversion failures (ValueOps::mismatch).
inline constexpr std::uint32_t kVersion = 6;
inline constexpr std::uint32_t kRecordMagic = 0x686d6f64;  // "hmod"
inline constexpr char kSectionName[] = ".hotmod_abi";
inline constexpr char kDescriptorSymbol[] = "hotmod_module_descriptor";

enum Sanitizer : std::uint32_t { kNoSanitizer = 0, kAsan = 1, kTsan = 2 };

// Plain data with no pointers: it must be readable straight from the file,
// without relocation.
struct Fingerprint {
  std::uint32_t hotmod_abi;
  std::uint32_t pointer_size;
  std::uint32_t stdlib;     // 1 = libstdc++, 2 = libc++
  std::uint32_t cxx11_abi;  // _GLIBCXX_USE_CXX11_ABI (std::string layout)
  std::uint32_t rtti;
  std::uint32_t exceptions;
  std::uint32_t sanitizers;        // Sanitizer bits
  std::uint32_t debug_containers;  // _GLIBCXX_DEBUG changes container layout
  // hotmod::Value's layout is nlohmann::json's: its version where
  // HOTMOD_MODULE found hotmod/value_fwd.hpp (or value.hpp) included above
  // it, else 0 (a module that passes no Values), which is not compared.
  // current() leaves it 0; see detail::module_fingerprint().
  std::uint32_t json_version;
  char compiler[40];  // informational: not compared
};

constexpr Fingerprint current() {
  Fingerprint f{};
  f.hotmod_abi = kVersion;
  f.pointer_size = sizeof(void*);
#if defined(_LIBCPP_VERSION)
  f.stdlib = 2;
  f.cxx11_abi = 1;
#else
  f.stdlib = 1;
#if defined(_GLIBCXX_USE_CXX11_ABI)
  f.cxx11_abi = _GLIBCXX_USE_CXX11_ABI;
#else
  f.cxx11_abi = 1;
#endif
#endif
#if defined(__GXX_RTTI) || defined(__cpp_rtti)
  f.rtti = 1;
#endif
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  f.exceptions = 1;
#endif
#if defined(__SANITIZE_ADDRESS__)
  f.sanitizers |= kAsan;
#endif
#if defined(__SANITIZE_THREAD__)
  f.sanitizers |= kTsan;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  f.sanitizers |= kAsan;
#endif
#if __has_feature(thread_sanitizer)
  f.sanitizers |= kTsan;
#endif
#endif
#if defined(_GLIBCXX_DEBUG)
  f.debug_containers = 1;
#endif
  const char* name =
#if defined(__clang__)
      "clang " __clang_version__;
#elif defined(__GNUC__)
      "g++ " __VERSION__;
#else
      "unknown compiler";
#endif
  for (unsigned i = 0; i + 1 < sizeof f.compiler && name[i] != '\0'; ++i) f.compiler[i] = name[i];
  return f;
}

// What the `.hotmod_abi` section holds: enough to refuse a module and to say
// which module it was, read without running any of its code.
struct Record {
  std::uint32_t magic;
  std::uint32_t record_size;
  Fingerprint fingerprint;
  char name[96];
  char version[32];
  // The capabilities HOTMOD_MODULE names, each ended by '\0', then an
  // empty one: checked against the host's grants before the module's code
  // runs. Absent from records whose record_size stops before it.
  char capabilities[256];
};

}  // namespace hotmod::abi
