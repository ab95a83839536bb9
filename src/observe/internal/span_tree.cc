#include "observe/internal/span_tree.h"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace keel::observe_internal {
namespace {

std::optional<double> NumberAttr(const Span& span, const char* key) {
  if (!span.attrs.is_object()) return std::nullopt;
  auto it = span.attrs.find(key);
  if (it == span.attrs.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Depth-first walk from `start`, appending rows; `visited` breaks cycles.
void Walk(const std::vector<Span>& spans, const std::vector<std::vector<size_t>>& children,
          size_t start, int depth, int parent, std::vector<bool>& visited,
          std::vector<TreeRow>& rows) {
  struct Pending {
    size_t index;
    int depth;
    int parent;
  };
  // An explicit stack: a long parent chain must not overflow the call stack.
  std::vector<Pending> stack{{start, depth, parent}};
  while (!stack.empty()) {
    Pending next = stack.back();
    stack.pop_back();
    if (visited[next.index]) continue;
    visited[next.index] = true;
    rows.push_back({&spans[next.index], next.depth, next.parent});
    int row = static_cast<int>(rows.size()) - 1;
    const auto& kids = children[next.index];
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
      if (!visited[*it]) stack.push_back({*it, next.depth + 1, row});
    }
  }
}

// Sum over the tree of `figure`, each span counted only when no descendant
// has the figure. Returns nullopt when no span has it.
template <typename T, typename Figure>
std::optional<T> TreeSum(const std::vector<TreeRow>& rows, Figure figure) {
  std::vector<T> below(rows.size(), T{});
  std::vector<bool> any_below(rows.size(), false);
  T total{};
  bool any = false;
  for (size_t r = rows.size(); r-- > 0;) {  // children come after their parent
    std::optional<T> own = figure(*rows[r].span);
    bool has = any_below[r] || own.has_value();
    T counted = any_below[r] ? below[r] : own.value_or(T{});
    if (rows[r].parent < 0) {
      total += counted;
      any = any || has;
    } else {
      below[rows[r].parent] += counted;
      any_below[rows[r].parent] = any_below[rows[r].parent] || has;
    }
  }
  return any ? std::optional<T>(total) : std::nullopt;
}

}  // namespace

std::vector<TreeRow> TreeOrder(const std::vector<Span>& spans) {
  const size_t n = spans.size();
  auto earlier = [&spans](size_t a, size_t b) {
    return std::tie(spans[a].start_us, a) < std::tie(spans[b].start_us, b);
  };
  std::unordered_map<std::string_view, size_t> by_id;
  by_id.reserve(n);
  std::optional<size_t> root;
  for (size_t i = 0; i < n; ++i) {
    by_id.emplace(spans[i].span_id, i);  // a duplicate id keeps its first span
    if (spans[i].parent_span_id.empty() && (!root || earlier(i, *root))) root = i;
  }

  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> top;  // top-level rows when there is no root
  for (size_t i = 0; i < n; ++i) {
    if (root && i == *root) continue;
    const std::string& parent = spans[i].parent_span_id;
    auto it = parent.empty() ? by_id.end() : by_id.find(parent);
    bool orphan = it == by_id.end() || it->second == i;
    (orphan ? (root ? children[*root] : top) : children[it->second]).push_back(i);
  }
  if (root) top = {*root};
  for (auto& kids : children) std::sort(kids.begin(), kids.end(), earlier);
  std::sort(top.begin(), top.end(), earlier);

  std::vector<TreeRow> rows;
  rows.reserve(n);
  std::vector<bool> visited(n, false);
  for (size_t t : top) Walk(spans, children, t, 0, -1, visited, rows);
  // Whatever is left sits in a parent cycle, unreachable from the top.
  std::vector<size_t> rest;
  for (size_t i = 0; i < n; ++i) {
    if (!visited[i]) rest.push_back(i);
  }
  std::sort(rest.begin(), rest.end(), earlier);
  for (size_t i : rest) Walk(spans, children, i, root ? 1 : 0, root ? 0 : -1, visited, rows);
  return rows;
}

std::optional<int64_t> SpanTokens(const Span& span) {
  std::optional<double> in = NumberAttr(span, "tokens_in");
  std::optional<double> out = NumberAttr(span, "tokens_out");
  if (!in && !out) return std::nullopt;
  return static_cast<int64_t>(in.value_or(0) + out.value_or(0));
}

std::optional<double> SpanCost(const Span& span) { return NumberAttr(span, "cost_usd"); }

bool IsParked(const Span& span) {
  if (span.status == "parked") return true;
  if (!span.attrs.is_object()) return false;
  auto it = span.attrs.find("parked");
  return it != span.attrs.end() && it->is_boolean() && it->get<bool>();
}

TraceTotals Totals(const std::vector<TreeRow>& rows) {
  return {TreeSum<int64_t>(rows, SpanTokens), TreeSum<double>(rows, SpanCost)};
}

}  // namespace keel::observe_internal
