#include "cli/cmd_call.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "cli/call_args.hpp"
#include "cli/cli_runtime.hpp"
#include "cli/terminal.hpp"
#include "hotmod/runtime.hpp"

namespace hotmod::cli {

CLI::App* add_call_command(CLI::App& app, CallArgs& args) {
  CLI::App* call = app.add_subcommand(
      "call",
      "Call a module's function and print the result; ARG... are JSON values: 2, 1.5, "
      "true, '\"text\"', '[1,2]'");
  call->add_option("MODULE.FUNCTION", args.target,
                   "The function; the module is what comes before the last '.'")
      ->required();
  // ARG... are not an option of this command: CLI11 splits an option's
  // value written as [a,b] into a and b, and a JSON array must reach the
  // function as one. They are the command line's extras (main.cpp).
  call->footer(
      "Examples:\n"
      "  hotmod -M build/modules call math.add 2 3\n"
      "  hotmod call greeter.greet '\"Ada\"' 2      text is quoted JSON\n"
      "  hotmod call algorithms.sorting.quick '[3,1,2]'\n"
      "  hotmod call math.neg -- -x               '--' before arguments that start with '-'\n"
      "The result is printed as JSON on stdout. Exit code 1 when the call fails,\n"
      "2 when the command line is wrong. Runs in dev mode (source modules are\n"
      "compiled as needed) unless --no-dev.");
  return call;
}

int run_call(const GlobalOptions& global, const CallArgs& args) {
  Result<CallTarget> target = split_call_target(args.target);
  if (!target) return usage_error(target.error().message);
  Result<Value> values = parse_call_args(args.args);
  if (!values) return usage_error(values.error().message);
  int exit_code = kExitOk;
  auto setup = setup_runtime(global, &exit_code, Failures::reported_by_command);
  if (!setup) return exit_code;
  setup->options.dev_mode = !no_dev_given(global);  // compiles source modules
  setup->options.hot_reload = false;                // one call and out: nothing to watch
  Runtime runtime(std::move(setup->options));

  Result<Module> module = runtime.module(target->module);
  if (!module) {
    // The compiler's or loader's own words first, then what to do.
    if (std::optional<ReloadStats> failed = runtime.last_failure(target->module);
        failed && !failed->diagnostics.empty()) {
      std::string text = failed->diagnostics;
      if (text.back() != '\n') text += '\n';
      std::fputs(text.c_str(), stderr);
    }
    print_error(module.error().message);
    return kExitFailed;
  }
  Result<Value> result = module->call_with(target->function, *values);
  if (!result) {
    // A contained crash's backtrace, like the loader's words above.
    if (const std::string& trace = result.error().diagnostics; !trace.empty())
      std::fputs(fmt::format("{}\n", trace).c_str(), stderr);
    print_error(result.error().message);
    return kExitFailed;
  }
  const std::string text = result->dump(2, ' ', false, Value::error_handler_t::replace);
  std::printf("%s\n", text.c_str());
  return kExitOk;
}

}  // namespace hotmod::cli
