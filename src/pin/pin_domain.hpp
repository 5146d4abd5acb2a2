// The process-wide implementation of hotmod::PinDomain (see hotmod/pin.hpp).
#pragma once

#include <chrono>
#include <functional>

#include "hotmod/pin.hpp"

namespace hotmod::pin {

PinDomain& domain();

// A thread still inside a pin that began before a synchronize().
struct Straggler {
  int tid = 0;                         // the kernel's thread id
  std::chrono::nanoseconds waited{0};  // since synchronize() began
};
// synchronize(), asking `keep_waiting` about a thread that holds up the
// grace period, about every `every`; false when it said to give up — the
// grace period has not ended, and nothing pinned may be released.
bool synchronize(const std::function<bool(const Straggler&)>& keep_waiting,
                 std::chrono::milliseconds every = std::chrono::milliseconds(100));

// This thread's record; null until the thread first pins.
PinRecord* this_thread_record();

// Called on every thread the first time it pins, before it runs module code
// (crash containment gives the thread its alternate signal stack there).
// Set once, before any thread pins; null: nothing.
void set_first_pin_hook(void (*hook)());

}  // namespace hotmod::pin
