#include "diag/timing_history.hpp"
#include "text/duration.hpp"

#include <algorithm>
#include <vector>

namespace hotmod::diag {

void TimingHistory::record(std::chrono::nanoseconds duration) {
  if (ring_.size() < kKept)
    ring_.push_back(duration);
  else
    ring_[next_] = duration;
  next_ = (next_ + 1) % kKept;
  ++count_;
}

TimingSummary TimingHistory::summary() const {
  TimingSummary s;
  s.count = count_;
  if (count_ == 0) return s;
  const std::size_t kept = count_ < kKept ? static_cast<std::size_t>(count_) : kKept;
  // While the ring is not full its samples are ring_[0, kept); once full,
  // every slot holds one of the last kKept samples.
  std::vector<std::chrono::nanoseconds> samples(ring_.begin(), ring_.begin() + kept);
  s.last_ms = text::to_ms(ring_[(next_ + kKept - 1) % kKept]);
  s.max_ms = text::to_ms(*std::max_element(samples.begin(), samples.end()));
  const auto mid = samples.begin() + static_cast<std::ptrdiff_t>(kept / 2);
  std::nth_element(samples.begin(), mid, samples.end());
  if (kept % 2 == 1) {
    s.median_ms = text::to_ms(*mid);
  } else {
    // The lower middle is the largest of the elements before `mid`.
    const auto lower = *std::max_element(samples.begin(), mid);
    s.median_ms = (text::to_ms(lower) + text::to_ms(*mid)) / 2;
  }
  return s;
}

}  // namespace hotmod::diag
