#include "registry/lifecycle.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "registry/version.hpp"

namespace hotmod::registry {

void Lifecycle::illegal(const char* transition, const char* state) const {
  throw std::logic_error(fmt::format("module '{}': lifecycle transition '{}' from a state {}",
                                     module_, transition, state));
}

bool Lifecycle::file_changed(const std::filesystem::path& file) const {
  if (failure_ == Failure::unread) return true;
  if (failure_ == Failure::read) return loader::file_changed(file, failed_read_);
  if (parked_) return loader::file_changed(file, parked_->source);
  if (!running_) illegal("file_changed", "where nothing was read yet");
  return loader::file_changed(file, running_->source);
}

std::shared_ptr<Version> Lifecycle::commit(std::shared_ptr<Version> next) {
  if (stopped_) illegal("commit", "stopped at shutdown");
  if (parked_) illegal("commit", "with a version parked (unpark it first)");
  if (!next) illegal("commit", "with no version to commit");
  std::shared_ptr<Version> old = std::move(running_);
  running_ = std::move(next);
  return old;
}

std::shared_ptr<Version> Lifecycle::park(std::shared_ptr<Version> next) {
  if (!running_) illegal("park", "where no version runs (a first load commits at once)");
  if (!next) illegal("park", "with no version to park");
  std::shared_ptr<Version> displaced = std::move(parked_);
  parked_ = std::move(next);
  return displaced;
}

std::shared_ptr<Version> Lifecycle::unpark() {
  if (!parked_) illegal("unpark", "with nothing parked");
  return std::move(parked_);
}

void Lifecycle::fail(const loader::FileSnapshot& read) {
  if (stopped_) illegal("fail", "stopped at shutdown");
  failed_read_ = read.record();  // the identity and hash decide a change, not the bytes
  failure_ = Failure::read;
}

void Lifecycle::fail_unread() {
  if (stopped_) illegal("fail_unread", "stopped at shutdown");
  if (failure_ == Failure::none) failure_ = Failure::unread;
}

void Lifecycle::forget_failure() {
  failure_ = Failure::none;
  failed_read_ = {};
}

void Lifecycle::mark_loaded() {
  if (!running_) illegal("mark_loaded", "where no version runs");
  loaded_.store(true, std::memory_order_release);
}

std::shared_ptr<Version> Lifecycle::stop() {
  if (parked_) illegal("stop", "with a version parked (discard it first)");
  stopped_ = true;
  forget_failure();
  return std::move(running_);
}

}  // namespace hotmod::registry
