// Backtraces as text, through libdw's dwfl directly rather than
// backward-cpp's resolver: backward finds each frame's function by walking
// every DIE of its compilation unit, which for a module including
// <hotmod/module.hpp> (nlohmann/json) takes ~0.3 s per frame; the line table
// and the symbol table answer the same question in microseconds. backward
// still prints the traces of crashes nobody contains (diag/stack_trace.cpp).
#include "contain/frames_text.hpp"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

namespace hotmod::contain {
namespace {

std::string demangled(const char* name) {
  if (name == nullptr) return "";
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> plain(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && plain ? std::string(plain.get()) : std::string(name);
}

}  // namespace

std::string frames_text(std::string_view heading, const std::uintptr_t* pcs, std::size_t count,
                        std::size_t max, std::vector<std::string>* functions) {
  if (count == 0) return "";
  count = std::min(count, max);
  static const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_linux_proc_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
      .section_address = nullptr,
      .debuginfo_path = nullptr,
  };
  std::unique_ptr<Dwfl, decltype(&dwfl_end)> dwfl(dwfl_begin(&callbacks), &dwfl_end);
  if (dwfl && (dwfl_linux_proc_report(dwfl.get(), getpid()) != 0 ||
               dwfl_report_end(dwfl.get(), nullptr, nullptr) != 0))
    dwfl.reset();
  std::string out(heading);
  for (std::size_t i = 0; i < count; ++i) {
    const auto pc = static_cast<Dwarf_Addr>(pcs[i]);
    Dwfl_Module* module = dwfl ? dwfl_addrmodule(dwfl.get(), pc) : nullptr;
    std::string function = module != nullptr ? demangled(dwfl_module_addrname(module, pc)) : "";
    if (functions != nullptr) functions->push_back(function);
    if (function.empty()) function = "??";
    Dwfl_Line* line = module != nullptr ? dwfl_module_getsrc(module, pc) : nullptr;
    int number = 0;
    const char* file = line != nullptr
                           ? dwfl_lineinfo(line, nullptr, &number, nullptr, nullptr, nullptr)
                           : nullptr;
    if (file != nullptr) {
      fmt::format_to(std::back_inserter(out), "\n  #{} {}:{}: in {}", i, file, number, function);
      continue;
    }
    const char* object = module != nullptr ? dwfl_module_info(module, nullptr, nullptr, nullptr,
                                                              nullptr, nullptr, nullptr, nullptr)
                                           : nullptr;
    fmt::format_to(std::back_inserter(out), "\n  #{} {} ({}, {:#x})", i, function,
                   object != nullptr ? object : "unknown object", pcs[i]);
  }
  return out;
}

}  // namespace hotmod::contain
