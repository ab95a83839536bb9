#include "observe/waterfall.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "observe/internal/span_tree.h"
#include "observe/internal/text_cells.h"
#include "observe/internal/time_axis.h"

namespace keel {
namespace {

using observe_internal::DisplayWidth;
using observe_internal::FitLeft;
using observe_internal::FitRight;

constexpr int kDurationCols = 9;  // "59999.9ms"
constexpr int kStatusCols = 6;    // "parked"
constexpr int kTokenCols = 10;    // "999.9k tok"
constexpr int kCostCols = 8;      // "$999.99"
constexpr int kMinNameCols = 12;

constexpr const char* kReset = "\x1b[0m";

const char* KindMarker(std::string_view kind) {
  if (kind == "run") return "◆";
  if (kind == "node") return "●";
  if (kind == "model") return "◇";
  if (kind == "tool") return "▪";
  return "·";
}

const char* KindColor(std::string_view kind) {
  if (kind == "run") return "\x1b[34m";
  if (kind == "node") return "\x1b[36m";
  if (kind == "model") return "\x1b[35m";
  if (kind == "tool") return "\x1b[33m";
  return "\x1b[37m";
}

const char* StatusColor(std::string_view status) {
  if (status == "ok") return "\x1b[32m";
  if (status == "error") return "\x1b[31m";
  if (status == "parked") return "\x1b[33m";
  return "";
}

// Which optional columns appear and how wide the flexible ones are.
struct Columns {
  bool tokens = false;
  bool cost = false;
  int name = kMinNameCols;
  int bar = 0;
};

std::string Label(const observe_internal::TreeRow& row) {
  std::string label(static_cast<size_t>(row.depth) * 2, ' ');
  label += KindMarker(row.span->kind);
  label += ' ';
  label += observe_internal::Sanitized(row.span->name);
  return label;
}

Columns Layout(const std::vector<observe_internal::TreeRow>& rows, int width) {
  Columns cols;
  int widest_label = 0;
  for (const auto& row : rows) {
    cols.tokens = cols.tokens || observe_internal::SpanTokens(*row.span).has_value();
    cols.cost = cols.cost || observe_internal::SpanCost(*row.span).has_value();
    widest_label = std::max(widest_label, DisplayWidth(Label(row)));
  }
  // Every column but name and bar is followed by one space; the bar by none.
  int fixed = kDurationCols + 1 + kStatusCols + 1 + 1;
  if (cols.tokens) fixed += kTokenCols + 1;
  if (cols.cost) fixed += kCostCols + 1;
  int flexible = width - fixed;
  // Names get up to half of what is left; the bar takes the rest.
  cols.name = std::max(kMinNameCols, std::min(widest_label, flexible / 2));
  cols.bar = flexible - cols.name;
  return cols;
}

// One span's bar: `cols` cells on the axis, eighth blocks at the right edge,
// light shade for parked spans and "≈" where a compressed stretch lies
// inside the span.
std::string Bar(const Span& span, int64_t end_us, const observe_internal::TimeAxis& axis, int cols,
                bool parked) {
  double scale = cols / axis.VisualTotal();
  int64_t start8 = static_cast<int64_t>(std::floor(axis.Visual(span.start_us) * scale * 8));
  int first = static_cast<int>(std::min<int64_t>(start8 / 8, cols - 1));
  int64_t end8 = std::llround(axis.Visual(end_us) * scale * 8);
  end8 = std::clamp<int64_t>(end8, first * 8 + 1, int64_t{cols} * 8);  // never invisible
  int last = static_cast<int>((end8 - 1) / 8);

  static constexpr const char* kEighths[] = {"█", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  std::vector<const char*> cells(static_cast<size_t>(last + 1), " ");
  for (int c = first; c <= last; ++c) cells[c] = parked ? "░" : "█";
  if (!parked) cells[last] = kEighths[end8 % 8];
  for (const auto& cut : axis.compressed()) {
    if (span.start_us > cut.start_us || end_us < cut.end_us) continue;
    int mid = static_cast<int>(axis.Visual(cut.start_us) * scale + cut.visual_us * scale / 2);
    if (mid >= first && mid <= last) cells[mid] = "≈";
  }
  std::string bar;
  bar.reserve(cells.size() * 3);
  for (const char* cell : cells) bar += cell;
  return bar;
}

std::string Paint(const std::string& text, const char* color, bool enabled) {
  if (!enabled || *color == '\0') return text;
  return color + text + kReset;
}

// Bars start after leading spaces; colour only the drawn part.
std::string PaintBar(const std::string& bar, const char* color, bool enabled) {
  size_t drawn = bar.find_first_not_of(' ');
  if (!enabled || drawn == std::string::npos) return bar;
  return bar.substr(0, drawn) + Paint(bar.substr(drawn), color, true);
}

std::string SpanLine(const observe_internal::TreeRow& row, const observe_internal::TimeAxis& axis,
                     const Columns& cols, bool color) {
  const Span& span = *row.span;
  bool open = span.end_us < span.start_us;
  int64_t end_us = open ? axis.end_us() : span.end_us;
  bool parked = observe_internal::IsParked(span);

  std::string line = FitLeft(Label(row), cols.name) + ' ';
  std::string duration = open ? "open" : observe_internal::FormatDuration(end_us - span.start_us);
  line += FitRight(duration, kDurationCols) + ' ';
  std::string status = observe_internal::Sanitized(span.status);
  line += Paint(FitLeft(status, kStatusCols), StatusColor(status), color) + ' ';
  if (cols.tokens) {
    auto tokens = observe_internal::SpanTokens(span);
    line += FitRight(tokens ? observe_internal::FormatTokens(*tokens) : "", kTokenCols) + ' ';
  }
  if (cols.cost) {
    auto cost = observe_internal::SpanCost(span);
    line += FitRight(cost ? observe_internal::FormatCost(*cost) : "", kCostCols) + ' ';
  }
  const char* bar_color = span.status == "error" ? StatusColor("error")
                          : parked               ? "\x1b[2m"
                                                 : KindColor(span.kind);
  line += PaintBar(Bar(span, end_us, axis, cols.bar, parked), bar_color, color);
  // Cells left blank by a short bar would only be trailing spaces.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line += '\n';
  return line;
}

std::string Header(const std::vector<observe_internal::TreeRow>& rows,
                   const observe_internal::TimeAxis& axis, int width) {
  const Span& first = *rows.front().span;
  auto totals = observe_internal::Totals(rows);
  std::string header = "run " + observe_internal::Sanitized(first.run_id) + " · " +
                       observe_internal::FormatDuration(axis.end_us() - axis.start_us()) + " · " +
                       std::to_string(rows.size()) + " spans";
  if (totals.tokens) header += " · " + std::to_string(*totals.tokens) + " tokens";
  if (totals.cost) header += " · " + observe_internal::FormatCost(*totals.cost);
  if (axis.compressed_us() > 0) {
    header += " · ≈ " + observe_internal::FormatDuration(axis.compressed_us()) +
              " of parked time not to scale";
  }
  // A header wider than the line is cut, not wrapped.
  return observe_internal::Truncated(header, width) + '\n';
}

}  // namespace

std::string RenderWaterfall(const std::vector<Span>& spans, const WaterfallOptions& options) {
  if (spans.empty()) return "no spans\n";
  int width = std::max(options.width, kMinWaterfallWidth);
  std::vector<observe_internal::TreeRow> rows = observe_internal::TreeOrder(spans);
  observe_internal::TimeAxis axis(spans);
  Columns cols = Layout(rows, width);

  std::string out = Header(rows, axis, width);
  out.reserve(out.size() + rows.size() * static_cast<size_t>(width + 32));
  for (const auto& row : rows) out += SpanLine(row, axis, cols, options.color);
  return out;
}

}  // namespace keel
