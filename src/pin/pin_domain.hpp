// The process-wide implementation of hotmod::PinDomain (see hotmod/pin.hpp).
#pragma once

#include "hotmod/pin.hpp"

namespace hotmod::pin {

PinDomain& domain();

}  // namespace hotmod::pin
