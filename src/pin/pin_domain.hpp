// The process-wide implementation of hotmod::PinDomain (see hotmod/pin.hpp).
#pragma once

#include "hotmod/pin.hpp"

namespace hotmod::pin {

PinDomain& domain();

// This thread's record; null until the thread first pins.
PinRecord* this_thread_record();

// Called on every thread the first time it pins, before it runs module code
// (crash containment gives the thread its alternate signal stack there).
// Set once, before any thread pins; null: nothing.
void set_first_pin_hook(void (*hook)());

}  // namespace hotmod::pin
