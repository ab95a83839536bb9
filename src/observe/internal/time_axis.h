// The waterfall's time axis: real span times mapped onto a drawing axis on
// which long stretches of parked time (approval waits) are shortened, so the
// work around them stays readable. Private to src/observe.
// Immutable after construction: thread-safe.
#ifndef KEEL_OBSERVE_INTERNAL_TIME_AXIS_H_
#define KEEL_OBSERVE_INTERNAL_TIME_AXIS_H_

#include <cstdint>
#include <vector>

#include "store/records.h"

namespace keel::observe_internal {

class TimeAxis {
 public:
  // A stretch of parked time drawn shorter than it lasted.
  struct Cut {
    int64_t start_us = 0;
    int64_t end_us = 0;
    double visual_us = 0;  // its length on the axis
  };

  // Spans the earliest start to the latest end (or start) of `spans`. Every
  // merged stretch of parked time longer than a tenth of the time that is
  // not parked is cut down to that tenth. `spans` must not be empty.
  explicit TimeAxis(const std::vector<Span>& spans);

  int64_t start_us() const { return start_us_; }
  int64_t end_us() const { return end_us_; }
  // Position of `t_us` on the axis, from 0 at start_us().
  double Visual(int64_t t_us) const;
  // Length of the axis; at least 1 so callers may divide by it.
  double VisualTotal() const;
  const std::vector<Cut>& compressed() const { return cuts_; }
  // Real time left off the axis by the cuts.
  int64_t compressed_us() const { return compressed_us_; }

 private:
  int64_t start_us_ = 0;
  int64_t end_us_ = 0;
  std::vector<Cut> cuts_;  // in time order, disjoint
  int64_t compressed_us_ = 0;
};

}  // namespace keel::observe_internal

#endif  // KEEL_OBSERVE_INTERNAL_TIME_AXIS_H_
