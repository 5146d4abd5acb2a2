// A barrier on every thread of this process: when it returns, each thread
// has executed a full memory barrier since it was called. Lets readers of the
// pin domain skip fences on their fast path.
#pragma once

namespace hotmod::pin {

void process_wide_barrier();

}  // namespace hotmod::pin
