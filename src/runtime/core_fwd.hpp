// runtime::Core declared, for headers that only pass it by reference. Its
// definition is runtime_impl.hpp's; <hotmod/runtime.hpp> forward-declares it
// under hotmod::detail, so a host sees no more than the name.
#pragma once

namespace hotmod {
namespace detail {
struct RuntimeCore;
}  // namespace detail
namespace runtime {
using Core = detail::RuntimeCore;
}  // namespace runtime
}  // namespace hotmod
