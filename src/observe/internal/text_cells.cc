#include "observe/internal/text_cells.h"

#include <fmt/format.h>

namespace keel::observe_internal {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte length of the first `cols` code points of `text` (all of it if shorter).
size_t PrefixBytes(std::string_view text, int cols) {
  size_t i = 0;
  for (int seen = 0; i < text.size(); ++i) {
    if (!IsContinuationByte(text[i]) && seen++ == cols) break;
  }
  return i;
}

}  // namespace

int DisplayWidth(std::string_view text) {
  int cols = 0;
  for (char c : text) cols += IsContinuationByte(c) ? 0 : 1;
  return cols;
}

std::string Sanitized(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

std::string Truncated(std::string_view text, int cols) {
  if (DisplayWidth(text) <= cols) return std::string(text);
  if (cols <= 0) return "";
  return std::string(text.substr(0, PrefixBytes(text, cols - 1))) + "…";
}

std::string FitLeft(std::string_view text, int cols) {
  std::string out = Truncated(text, cols);
  out.append(static_cast<size_t>(std::max(0, cols - DisplayWidth(out))), ' ');
  return out;
}

std::string FitRight(std::string_view text, int cols) {
  std::string cut = Truncated(text, cols);
  return std::string(static_cast<size_t>(std::max(0, cols - DisplayWidth(cut))), ' ') + cut;
}

std::string FormatDuration(int64_t micros) {
  constexpr int64_t kSecond = 1'000'000;
  constexpr int64_t kMinute = 60 * kSecond;
  constexpr int64_t kHour = 60 * kMinute;
  if (micros < 1000) return fmt::format("{}µs", micros);
  if (micros < kMinute) return fmt::format("{:.1f}ms", micros / 1000.0);
  if (micros < kHour) {
    return fmt::format("{}m {:02}s", micros / kMinute, micros % kMinute / kSecond);
  }
  return fmt::format("{}h {:02}m", micros / kHour, micros % kHour / kMinute);
}

std::string FormatTokens(int64_t tokens) {
  if (tokens < 10'000) return fmt::format("{} tok", tokens);
  if (tokens < 1'000'000) return fmt::format("{:.1f}k tok", tokens / 1e3);
  return fmt::format("{:.1f}M tok", tokens / 1e6);
}

std::string FormatCost(double usd) {
  return usd < 1.0 ? fmt::format("${:.4f}", usd) : fmt::format("${:.2f}", usd);
}

}  // namespace keel::observe_internal
