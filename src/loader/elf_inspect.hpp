// Checks a module file's bytes before anything opens it.
//
// dlopen maps whatever the program headers say and runs the image's
// constructors; a file cut short maps pages past its end (SIGBUS on first
// touch) and a file with the wrong ABI runs code that misreads every object.
// So the loader reads the file once, and this checks, without running any of
// it: an ELF shared object for this machine, every segment and the section
// headers inside the file, the `.hotmod_abi` record present. It also notes
// what could keep the image in memory after dlclose.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hotmod/abi.hpp"
#include "hotmod/error.hpp"

namespace hotmod::loader {

struct ElfSummary {
  abi::Record record{};
  bool has_tls = false;                     // PT_TLS: thread_local variables
  bool nodelete = false;                    // DF_1_NODELETE: linked with -z nodelete
  std::vector<std::string> unique_symbols;  // STB_GNU_UNIQUE exports
  // The pages of its code that hold nothing others read (link-time
  // addresses, 4 KiB pages); equal when there are none.
  std::uint64_t code_start = 0;
  std::uint64_t code_end = 0;
};

// The capabilities the record names; nullopt when the record is older than
// capabilities in records (the descriptor, read after dlopen, has them).
std::optional<std::vector<std::string>> record_capabilities(const abi::Record& record);

// `what` names the module and file in messages, e.g. "module 'a.b' (/m/a/b.so)". Returns false and
// fills `out_fault`.
bool inspect_elf(std::span<const unsigned char> bytes, const std::string& what, ElfSummary* summary,
                 Error* out_fault);

}  // namespace hotmod::loader
