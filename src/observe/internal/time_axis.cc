#include "observe/internal/time_axis.h"

#include <algorithm>
#include <utility>

#include "observe/internal/span_tree.h"

namespace keel::observe_internal {
namespace {

// Parked intervals of `spans`, merged where they overlap or touch.
std::vector<std::pair<int64_t, int64_t>> ParkedStretches(const std::vector<Span>& spans,
                                                         int64_t trace_end_us) {
  std::vector<std::pair<int64_t, int64_t>> parked;
  for (const Span& span : spans) {
    if (!IsParked(span)) continue;
    int64_t end = span.end_us < span.start_us ? trace_end_us : span.end_us;  // open: to the end
    parked.emplace_back(span.start_us, end);
  }
  std::sort(parked.begin(), parked.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& stretch : parked) {
    if (!merged.empty() && stretch.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, stretch.second);
    } else {
      merged.push_back(stretch);
    }
  }
  return merged;
}

}  // namespace

TimeAxis::TimeAxis(const std::vector<Span>& spans) {
  start_us_ = spans.front().start_us;
  end_us_ = spans.front().start_us;
  for (const Span& span : spans) {
    start_us_ = std::min(start_us_, span.start_us);
    end_us_ = std::max({end_us_, span.start_us, span.end_us});
  }
  auto parked = ParkedStretches(spans, end_us_);
  int64_t parked_us = 0;
  for (const auto& [start, end] : parked) parked_us += end - start;
  // A tenth of the active time keeps a wait visible without dwarfing work.
  int64_t cap_us = (end_us_ - start_us_ - parked_us) / 10;
  if (cap_us < 1) return;  // nothing but waiting: draw it to scale
  for (const auto& [start, end] : parked) {
    if (end - start <= cap_us) continue;
    cuts_.push_back({start, end, static_cast<double>(cap_us)});
    compressed_us_ += end - start - cap_us;
  }
}

double TimeAxis::Visual(int64_t t_us) const {
  double removed = 0;
  for (const Cut& cut : cuts_) {
    if (t_us <= cut.start_us) break;
    double inside = static_cast<double>(std::min(t_us, cut.end_us) - cut.start_us);
    double length = static_cast<double>(cut.end_us - cut.start_us);
    removed += inside - inside * cut.visual_us / length;
  }
  return static_cast<double>(t_us - start_us_) - removed;
}

double TimeAxis::VisualTotal() const { return std::max(1.0, Visual(end_us_)); }

}  // namespace keel::observe_internal
