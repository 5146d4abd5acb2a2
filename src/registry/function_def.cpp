#include "registry/function_def.hpp"

#include <fmt/format.h>

#include "hotmod/value.hpp"
#include "loader/value_ops.hpp"

namespace hotmod::registry {

std::vector<FunctionDef> native_functions(const detail::FunctionInfo* newest_first) {
  std::vector<const detail::FunctionInfo*> infos;
  for (const detail::FunctionInfo* f = newest_first; f != nullptr; f = f->next) infos.push_back(f);
  std::vector<FunctionDef> out;
  out.reserve(infos.size());
  for (auto it = infos.rbegin(); it != infos.rend(); ++it) {
    const detail::FunctionInfo& info = **it;
    FunctionDef def;
    def.name = info.name;
    def.native = &info;
    if (info.words != nullptr && info.words[0] != nullptr) {
      def.doc = info.words[0];
      for (const char* const* w = info.words + 1; *w != nullptr; ++w) def.params.emplace_back(*w);
    }
    def.signature = fmt::format("{} {}(", info.types[0], def.name);
    for (std::size_t i = 0; i < info.arity; ++i) {
      if (i > 0) def.signature += ", ";
      def.signature += info.types[i + 1];
      if (i < def.params.size()) def.signature += " " + def.params[i];
    }
    def.signature += ")";
    out.push_back(std::move(def));
  }
  return out;
}

Failure call_native(const FunctionDef& fn, const Value& args, Value& result, std::string& what) {
  const detail::FunctionInfo& info = *fn.native;
  const detail::ValueOps& ops = loader::value_ops();
  if (!args.is_array() || args.size() != info.arity) {
    what = fmt::format(
        "{} takes {} argument{} ({}), got {}", fn.name, info.arity, info.arity == 1 ? "" : "s",
        fn.signature,
        args.is_array() ? std::to_string(args.size()) : ops.describe(loader::as_any(args)));
    return Failure::bad_arguments;
  }
  detail::CallProblem problem;
  const Failure failure = info.invoke(ops, loader::as_any(args), loader::as_any(result), problem);
  if (failure == Failure::bad_arguments) {
    const std::size_t i = problem.argument;
    std::string label = fmt::format("argument {}", i + 1);
    if (i < fn.params.size()) label += fmt::format(" ('{}')", fn.params[i]);
    what = fmt::format("{}: {} must be {}, {}", fn.name, label, info.types[i + 1], problem.why);
  } else if (failure == Failure::function_threw) {
    what = problem.not_std_exception
               ? fmt::format("{} threw an exception that is not a std::exception", fn.name)
               : fmt::format("{} threw: {}", fn.name, problem.why);
  }
  return failure;
}

}  // namespace hotmod::registry
