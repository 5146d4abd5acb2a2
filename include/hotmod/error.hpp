// hotmod/error.hpp — what went wrong, as values a host can act on.
//
// Every fallible hotmod call returns a Result<T>: a T, or an Error saying
// where it stopped (Stage), why (Failure), what happened and what to do
// (message, naming the module or file), and longer output (diagnostics:
// compiler output, dlerror text, a stack trace). Reloads report the same
// values in ReloadStats. Each enum (hotmod/failure.hpp) has its `to_string`
// and `parse_*` here; the names are the ones logs, events, the `hotmod`
// command and its --json output use.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "hotmod/failure.hpp"

namespace hotmod {

std::string_view to_string(ModuleKind kind);
std::string_view to_string(Stage stage);
std::string_view to_string(Failure failure);
// The inverse of to_string; nullopt for a name that is not one.
std::optional<ModuleKind> parse_module_kind(std::string_view name);
std::optional<Stage> parse_stage(std::string_view name);
std::optional<Failure> parse_failure(std::string_view name);

struct Error {
  Error() = default;
  Error(Stage where, Failure why, std::string what, std::string details = {})
      : stage(where), failure(why), message(std::move(what)), diagnostics(std::move(details)) {}

  Stage stage = Stage::none;
  Failure failure = Failure::none;
  std::string message;      // one line: what happened, naming the module, and what to do
  std::string diagnostics;  // longer output, when there is some
};

// Thrown by Result::value() (and * and ->) when the result is an error:
// what() is the error's message, error() the whole Error.
class BadResultAccess : public std::exception {
 public:
  explicit BadResultAccess(Error error) : error_(std::make_shared<const Error>(std::move(error))) {}
  const char* what() const noexcept override { return error_->message.c_str(); }
  const Error& error() const noexcept { return *error_; }

 private:
  std::shared_ptr<const Error> error_;  // shared: copying an exception must not throw
};

// Thrown out of a call through a Ref<I> whose module code crashed while crash
// containment was on (RuntimeOptions::contain_crashes, dev mode): the call
// is abandoned where the module was entered, and error() says which module
// and version, which signal, and (diagnostics) the backtrace. The module's
// own frames were not unwound: what they held (locks, heap) stays as it
// was. Module::call and the runtime's own calls return this Error instead.
class ModuleCrashed : public std::exception {
 public:
  explicit ModuleCrashed(Error error) : error_(std::make_shared<const Error>(std::move(error))) {}
  const char* what() const noexcept override { return error_->message.c_str(); }
  const Error& error() const noexcept { return *error_; }

 private:
  std::shared_ptr<const Error> error_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return check(), std::get<0>(v_); }
  const T& value() const& { return check(), std::get<0>(v_); }
  T&& value() && { return check(), std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Only on an error (check ok() first): std::bad_variant_access otherwise.
  const Error& error() const { return std::get<1>(v_); }

 private:
  void check() const {
    if (!ok()) throw BadResultAccess(std::get<1>(v_));
  }
  std::variant<T, Error> v_;
};

// Success with nothing to return, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  void value() const {
    if (error_) throw BadResultAccess(*error_);
  }
  // Only on an error (check ok() first): std::bad_optional_access otherwise.
  const Error& error() const { return error_.value(); }

 private:
  std::optional<Error> error_;
};

}  // namespace hotmod
