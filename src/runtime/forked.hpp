// Which fork of the process this is: a Runtime made before a fork() has
// threads (watcher, reload worker, reaper) that did not follow into the
// child, and locks they may have held at that moment stay held there. In
// the child such a runtime refuses what would wait for them, and its
// destructor leaves it as it is instead of joining threads that are not
// there — the child never hangs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hotmod::runtime {

// 0 in a process that never forked since hotmod started watching; one more
// in each child of a fork(). Starts counting at the first call.
std::uint64_t fork_generation();

// getpid(): a child made without fork() (a raw clone, _Fork) runs no
// pthread_atfork handler, but has a pid of its own.
int this_pid();

// The error for `what` ("reload 'm'") asked of a runtime made in the parent.
std::string fork_refusal(std::string_view what, int parent_pid);

// Said on stderr with one write(2), no lock taken: what the log would say
// in a child where the log's lock may be held for good.
void say_in_child(std::string_view text);

// Keeps a runtime's core reachable, never destroyed: a fork()ed child's
// destructor hands it here instead of joining threads that are not there.
void keep_forever(std::shared_ptr<void> core);

}  // namespace hotmod::runtime
