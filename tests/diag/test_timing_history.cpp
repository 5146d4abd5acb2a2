#include <gtest/gtest.h>

#include <chrono>

#include "diag/timing_history.hpp"

namespace {

using hotmod::diag::TimingHistory;
using std::chrono::milliseconds;

TEST(TimingHistory, EmptyIsAllZero) {
  const hotmod::TimingSummary s = TimingHistory().summary();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.last_ms, 0);
  EXPECT_EQ(s.median_ms, 0);
  EXPECT_EQ(s.max_ms, 0);
}

TEST(TimingHistory, MedianOfAnOddCountIsTheMiddleSample) {
  TimingHistory h;
  for (int ms : {5, 1, 4, 2, 3}) h.record(milliseconds(ms));
  const hotmod::TimingSummary s = h.summary();
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.median_ms, 3);
  EXPECT_DOUBLE_EQ(s.last_ms, 3);
  EXPECT_DOUBLE_EQ(s.max_ms, 5);
}

TEST(TimingHistory, MedianOfAnEvenCountIsTheMeanOfTheTwoMiddleSamples) {
  TimingHistory h;
  for (int ms : {4, 1, 10, 2}) h.record(milliseconds(ms));
  const hotmod::TimingSummary s = h.summary();
  EXPECT_DOUBLE_EQ(s.median_ms, 3);  // (2 + 4) / 2
  EXPECT_DOUBLE_EQ(s.last_ms, 2);
  EXPECT_DOUBLE_EQ(s.max_ms, 10);
}

TEST(TimingHistory, KeepsFractionsOfAMillisecond) {
  TimingHistory h;
  h.record(std::chrono::microseconds(1250));
  EXPECT_DOUBLE_EQ(h.summary().last_ms, 1.25);
}

TEST(TimingHistory, KeepsTheLast64AndCountsEverySample) {
  TimingHistory h;
  for (int ms = 1; ms <= 100; ++ms) h.record(milliseconds(ms));
  const hotmod::TimingSummary s = h.summary();
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.last_ms, 100);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  // Kept: 37..100, whose middle two are 68 and 69.
  EXPECT_DOUBLE_EQ(s.median_ms, 68.5);
}

TEST(TimingHistory, AnOldMaximumFallsOutOfTheRing) {
  TimingHistory h;
  h.record(milliseconds(1000));
  for (std::size_t i = 0; i < TimingHistory::kKept - 1; ++i) h.record(milliseconds(2));
  EXPECT_DOUBLE_EQ(h.summary().max_ms, 1000);  // still one of the last 64
  h.record(milliseconds(3));
  const hotmod::TimingSummary s = h.summary();
  EXPECT_EQ(s.count, TimingHistory::kKept + 1);
  EXPECT_DOUBLE_EQ(s.max_ms, 3);
  EXPECT_DOUBLE_EQ(s.median_ms, 2);
  EXPECT_DOUBLE_EQ(s.last_ms, 3);
}

}  // namespace
