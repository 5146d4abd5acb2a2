// CallbackList: the one kind of callback list hotmod keeps — the event bus's
// subscribers, a FileWatcher's on_change, the runtime's and ReloadEngine's
// on_reload. One rule for all of them:
//
//  - callbacks run in the order they were added, on the thread that calls
//    call(), with no lock of the list held: a callback may add and remove
//    callbacks (itself included) and call other lists, or this one again;
//  - a callback that throws is handed to the list's error sink, which logs
//    it, and the callbacks after it still run;
//  - after remove() returns the callback is not started again. One already
//    running on another thread may still be finishing; remove_and_wait()
//    waits for it too — except for the calling thread's own call, which
//    cannot end while it waits (a callback removing itself returns at once).
//
// The last reference to a removed callback (and with it what it captured) may
// be dropped on the thread that calls or removes it, never under the list's
// lock. remove_and_wait() is like joining a thread: from a thread holding a
// lock the running callback needs, it waits forever. The list itself must
// outlive every call in progress; its owners stop their callers first (the
// watcher's thread, the runtime's shutdown, the bus's pins).
//
// Each callback carries a Tag (the bus's topic and owner; nothing for the
// others) that call_if() and remove_if() select on.
//
// Written here rather than taken from a library: none of fmt, libuv or the
// standard library has a callback list, and the ones in larger libraries
// (boost.signals2, sigslot) differ on exactly the points above.
#pragma once

#if defined(__GLIBCXX__)
#include <cxxabi.h>  // abi::__forced_unwind
#endif

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hotmod::events {

template <class Tag, class... Args>
class TaggedCallbackList {
 public:
  using Callback = std::function<void(Args...)>;
  // `what` is the exception's what(), or says it was not a std::exception;
  // the arguments are the ones the callback was given.
  using ErrorSink = std::function<void(std::string_view what, Args... args)>;

  explicit TaggedCallbackList(ErrorSink on_error = {}) : on_error_(std::move(on_error)) {}
  TaggedCallbackList(const TaggedCallbackList&) = delete;
  TaggedCallbackList& operator=(const TaggedCallbackList&) = delete;

  // Ids start at 1 and are never reused: 0 can mean "none".
  std::uint64_t add(Tag tag, Callback callback) {
    auto entry = std::make_shared<Entry>();
    entry->tag = std::move(tag);
    entry->callback = std::move(callback);
    std::lock_guard lock(mu_);
    entry->id = next_id_++;
    entries_.push_back(std::move(entry));
    return entries_.back()->id;
  }

  void remove(std::uint64_t id) {
    std::shared_ptr<Entry> gone;  // dropped after the lock: its destructor may use the list
    std::lock_guard lock(mu_);
    gone = take_locked(id);
  }

  void remove_and_wait(std::uint64_t id) {
    std::shared_ptr<Entry> entry;
    std::unique_lock lock(mu_);
    entry = take_locked(id);
    // Removed by someone else already, but maybe still running elsewhere.
    if (!entry) entry = find_busy_locked(id);
    if (!entry) return;
    const int mine = running_here(entry.get());
    finished_.wait(lock, [&] { return entry->running == mine; });
    lock.unlock();  // `entry` goes after it
  }

  // Removes every callback whose tag satisfies `pred`; returns how many.
  template <class Pred>
  std::size_t remove_if(Pred pred) {
    std::vector<std::shared_ptr<Entry>> gone;  // destroyed after the lock
    std::lock_guard lock(mu_);
    std::erase_if(entries_, [&](std::shared_ptr<Entry>& e) {
      if (!pred(std::as_const(e->tag))) return false;
      e->removed = true;
      gone.push_back(std::move(e));
      return true;
    });
    return gone.size();
  }

  // Calls the callbacks whose tag satisfies `pred`, asking again just before
  // each one (a callback before it may have changed the answer, e.g. by
  // stopping a watcher).
  template <class Pred>
  void call_if(Pred pred, Args... args) {
    std::vector<std::shared_ptr<Entry>> targets;
    {
      std::lock_guard lock(mu_);
      for (const std::shared_ptr<Entry>& e : entries_)
        if (pred(std::as_const(e->tag))) targets.push_back(e);
    }
    for (const std::shared_ptr<Entry>& e : targets) {
      {
        std::lock_guard lock(mu_);
        if (e->removed || !pred(std::as_const(e->tag))) continue;
        if (e->running++ == 0) busy_.push_back(e);
      }
      Running running(*this, e);
      run(*e, args...);
    }
  }

  void call(Args... args) {
    call_if([](const Tag&) { return true; }, args...);
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::uint64_t id = 0;
    Tag tag{};
    Callback callback;
    bool removed = false;  // guarded by mu_
    int running = 0;       // calls in progress, on any thread; guarded by mu_
  };

  // The entries this thread is inside, innermost last.
  static std::vector<const Entry*>& inside() {
    static thread_local std::vector<const Entry*> stack;
    return stack;
  }
  static int running_here(const Entry* e) {
    const auto& stack = inside();
    return static_cast<int>(std::count(stack.begin(), stack.end(), e));
  }

  // Counts a call out when it ends, however it ends.
  class Running {
   public:
    Running(TaggedCallbackList& list, const std::shared_ptr<Entry>& e) : list_(list), e_(e) {}
    ~Running() {
      {
        std::lock_guard lock(list_.mu_);
        if (--e_->running == 0) std::erase(list_.busy_, e_);
      }
      list_.finished_.notify_all();
    }
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;

   private:
    TaggedCallbackList& list_;
    const std::shared_ptr<Entry>& e_;
  };

  // Marks this thread as inside `e` for as long as it runs.
  class Inside {
   public:
    explicit Inside(const Entry* e) { inside().push_back(e); }
    ~Inside() { inside().pop_back(); }
    Inside(const Inside&) = delete;
    Inside& operator=(const Inside&) = delete;
  };

  void run(const Entry& e, Args&... args) {
    try {
      Inside mark(&e);
      e.callback(args...);
#if defined(__GLIBCXX__)
    } catch (::abi::__forced_unwind&) {
      throw;  // a cancelled thread must finish unwinding
#endif
    } catch (const std::exception& ex) {
      report(ex.what(), args...);
    } catch (...) {
      report("an exception that is not a std::exception", args...);
    }
  }

  void report(std::string_view what, Args&... args) {
    if (!on_error_) return;
    try {
      on_error_(what, args...);
    } catch (...) {  // the sink is the last resort: nothing is left to tell
    }
  }

  std::shared_ptr<Entry> take_locked(std::uint64_t id) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const std::shared_ptr<Entry>& e) { return e->id == id; });
    if (it == entries_.end()) return nullptr;
    std::shared_ptr<Entry> entry = std::move(*it);
    entries_.erase(it);
    entry->removed = true;
    return entry;
  }

  std::shared_ptr<Entry> find_busy_locked(std::uint64_t id) const {
    for (const std::shared_ptr<Entry>& e : busy_)
      if (e->id == id) return e;
    return nullptr;
  }

  const ErrorSink on_error_;
  mutable std::mutex mu_;
  std::condition_variable finished_;
  std::vector<std::shared_ptr<Entry>> entries_;  // in the order added
  std::vector<std::shared_ptr<Entry>> busy_;     // running somewhere, removed or not
  std::uint64_t next_id_ = 1;
};

// A list whose callbacks carry no tag.
template <class... Args>
class CallbackList : public TaggedCallbackList<std::monostate, Args...> {
 public:
  using TaggedCallbackList<std::monostate, Args...>::TaggedCallbackList;
  using TaggedCallbackList<std::monostate, Args...>::add;
  std::uint64_t add(typename TaggedCallbackList<std::monostate, Args...>::Callback callback) {
    return this->add(std::monostate{}, std::move(callback));
  }
};

}  // namespace hotmod::events
