#include "observe/waterfall.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace keel {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kMs = 1000;
constexpr int64_t kHour = int64_t{3600} * 1000 * kMs;

Span MakeSpan(std::string id, std::string parent, std::string name, std::string kind,
              int64_t start_us, int64_t end_us, std::string status = "ok",
              Json attrs = Json::object()) {
  return Span{"4bf92f3577b34da6a3ce929d0e0e4736",
              std::move(id),
              std::move(parent),
              "run_7f3a",
              std::move(name),
              std::move(kind),
              kT0 + start_us,
              kT0 + end_us,
              std::move(status),
              std::move(attrs)};
}

// A renewal_prep run: state load, a parallel fan-out whose two branches
// overlap (one retrying a failed tool call), a model-drafted brief, a two
// hour approval wait, then the approved tool call. The run span repeats its
// children's token and cost sums. Listed out of order on purpose.
std::vector<Span> RenewalPrepTrace() {
  const int64_t resume = 4810 * kMs + 2 * kHour;
  return {
      MakeSpan("s_draft", "s_run", "draft_brief", "node", 2450 * kMs, 4800 * kMs),
      MakeSpan("s_run", "", "renewal_prep", "run", 0, resume + 900 * kMs, "ok",
               {{"tokens_in", 4600}, {"tokens_out", 1200}, {"cost_usd", 0.0233}}),
      MakeSpan("s_load", "s_run", "load_state", "node", 5 * kMs, 25 * kMs),
      MakeSpan("s_acct", "s_load", "crm.get_account", "tool", 6 * kMs, 24'460),
      MakeSpan("s_gather", "s_run", "gather", "node", 30 * kMs, 2430 * kMs),
      MakeSpan("s_contract", "s_gather", "contract_lookup", "node", 31'500, 1200 * kMs),
      MakeSpan("s_usage", "s_gather", "usage_summarizer", "node", 31 * kMs, 2400 * kMs),
      MakeSpan("s_m1", "s_usage", "chat small", "model", 32 * kMs, 2390 * kMs, "ok",
               {{"tokens_in", 1200}, {"tokens_out", 300}, {"cost_usd", 0.0018}}),
      MakeSpan("s_c2", "s_contract", "crm.get_contracts", "tool", 600 * kMs, 1150 * kMs),
      MakeSpan("s_c1", "s_contract", "crm.get_contracts", "tool", 32 * kMs, 532 * kMs, "error",
               {{"error", "timeout"}}),
      MakeSpan("s_m2", "s_draft", "chat large", "model", 2455 * kMs, 4790 * kMs, "ok",
               {{"tokens_in", 3400}, {"tokens_out", 900}, {"cost_usd", 0.0215}}),
      MakeSpan("s_approve", "s_run", "approve_discount", "node", 4810 * kMs, resume, "parked"),
      MakeSpan("s_apply", "s_run", "apply_discount", "node", resume + 5 * kMs, resume + 890 * kMs),
      MakeSpan("s_tool", "s_apply", "crm.apply_discount", "tool", resume + 10 * kMs,
               resume + 10 * kMs + 850),
  };
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Terminal columns of `line`: code points, ANSI escape sequences excluded.
int VisibleWidth(const std::string& line) {
  int cols = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      i = line.find('m', i);
      if (i == std::string::npos) break;
      continue;
    }
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++cols;
  }
  return cols;
}

// Leading spaces before the kind marker, in levels of two.
int Depth(const std::string& line) { return static_cast<int>(line.find_first_not_of(' ')) / 2; }

const char* const kBarCells[] = {"█", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "░", "≈"};

// Bar cells in `line`: the only place block and break characters appear.
int BarCells(const std::string& line) {
  int cells = 0;
  for (const char* c : kBarCells) {
    for (size_t at = line.find(c); at != std::string::npos; at = line.find(c, at + 1)) ++cells;
  }
  return cells;
}

// Column where the bar starts, or -1 when the line has none.
int BarStart(const std::string& line) {
  size_t first = std::string::npos;
  for (const char* c : kBarCells) first = std::min(first, line.find(c));
  return first == std::string::npos ? -1 : VisibleWidth(line.substr(0, first));
}

TEST(WaterfallTest, RendersTheRunAsAnIndentedTreeInStartOrder) {
  auto lines = Lines(RenderWaterfall(RenewalPrepTrace(), {}));
  ASSERT_EQ(lines.size(), 15u);
  const std::vector<std::pair<std::string, int>> expected = {
      {"renewal_prep", 0},    {"load_state", 1},        {"crm.get_account", 2},
      {"gather", 1},          {"usage_summarizer", 2},  {"chat small", 3},
      {"contract_lookup", 2}, {"crm.get_contracts", 3}, {"crm.get_contracts", 3},
      {"draft_brief", 1},     {"chat large", 2},        {"approve_discount", 1},
      {"apply_discount", 1},  {"crm.apply_discount", 2}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string& line = lines[i + 1];
    EXPECT_NE(line.find(expected[i].first), std::string::npos) << line;
    EXPECT_EQ(Depth(line), expected[i].second) << line;
  }
  EXPECT_EQ(lines[1].substr(0, 3), "◆");                 // run marker
  EXPECT_NE(lines[8].find("error"), std::string::npos);  // the failed first attempt
  EXPECT_NE(lines[9].find(" ok "), std::string::npos);   // its retry
}

TEST(WaterfallTest, ShowsDurationsTokensAndCostPerSpan) {
  auto lines = Lines(RenderWaterfall(RenewalPrepTrace(), {}));
  EXPECT_NE(lines[3].find("18.5ms"), std::string::npos) << lines[3];
  EXPECT_NE(lines[6].find("2358.0ms"), std::string::npos) << lines[6];
  EXPECT_NE(lines[6].find("1500 tok"), std::string::npos) << lines[6];
  EXPECT_NE(lines[6].find("$0.0018"), std::string::npos) << lines[6];
  EXPECT_NE(lines[11].find("4300 tok"), std::string::npos) << lines[11];
  EXPECT_NE(lines[12].find("2h 00m"), std::string::npos) << lines[12];
  EXPECT_NE(lines[12].find("parked"), std::string::npos) << lines[12];
  EXPECT_NE(lines[14].find("850µs"), std::string::npos) << lines[14];
  EXPECT_EQ(lines[2].find("tok"), std::string::npos) << lines[2];
}

TEST(WaterfallTest, HeaderHasRunTotalsWithoutCountingTheRunSpanTwice) {
  const std::string header = Lines(RenderWaterfall(RenewalPrepTrace(), {}))[0];
  EXPECT_EQ(header.rfind("run run_7f3a · 2h 00m · 14 spans · 5800 tokens · $0.0233", 0), 0u)
      << header;
}

TEST(WaterfallTest, CompressesParkedTimeAndSaysSo) {
  auto lines = Lines(RenderWaterfall(RenewalPrepTrace(), {}));
  EXPECT_NE(lines[0].find("≈ 1h 59m of parked time not to scale"), std::string::npos) << lines[0];
  const std::string& parked = lines[12];
  EXPECT_NE(parked.find("≈"), std::string::npos) << parked;
  EXPECT_NE(parked.find("░"), std::string::npos) << parked;
  EXPECT_NE(lines[1].find("≈"), std::string::npos) << "the run span spans the break";
  EXPECT_EQ(lines[11].find("≈"), std::string::npos) << "the model call does not";
  // With the wait shortened, the work is drawn at a readable size.
  EXPECT_GE(BarCells(lines[11]), 10) << lines[11];
  EXPECT_LE(BarCells(parked), 8) << parked;
}

TEST(WaterfallTest, BarsSitOnOneTimeAxis) {
  auto lines = Lines(RenderWaterfall(RenewalPrepTrace(), {}));
  EXPECT_EQ(BarStart(lines[1]), BarStart(lines[2]));  // run and load_state start together
  // The parallel branches overlap: both start with the fan-out.
  EXPECT_EQ(BarStart(lines[5]), BarStart(lines[7]));
  // The brief is drafted after the fan-out, and the approved call comes last.
  EXPECT_GT(BarStart(lines[10]), BarStart(lines[5]));
  EXPECT_GT(BarStart(lines[13]), BarStart(lines[12]));
  EXPECT_EQ(BarCells(lines[1]), VisibleWidth(lines[1]) - BarStart(lines[1]));
}

TEST(WaterfallTest, EveryLineFitsTheWidth) {
  for (int width : {40, 60, 80, 100, 160}) {
    for (bool color : {false, true}) {
      std::string text = RenderWaterfall(RenewalPrepTrace(), {width, color});
      for (const std::string& line : Lines(text)) {
        EXPECT_LE(VisibleWidth(line), std::max(width, kMinWaterfallWidth))
            << "width " << width << ": " << line;
      }
    }
  }
  auto lines = Lines(RenderWaterfall(RenewalPrepTrace(), {}));
  EXPECT_EQ(VisibleWidth(lines[1]), 100) << "the run's bar reaches the right edge";
}

TEST(WaterfallTest, ColorOnlyWhenAsked) {
  std::string plain = RenderWaterfall(RenewalPrepTrace(), {100, false});
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  std::string colored = RenderWaterfall(RenewalPrepTrace(), {100, true});
  EXPECT_NE(colored.find("\x1b[31merror"), std::string::npos);  // error status in red
  EXPECT_NE(colored.find("\x1b[0m"), std::string::npos);
}

TEST(WaterfallTest, HostileNamesCannotBreakLinesOrInjectEscapes) {
  std::vector<Span> spans = {
      MakeSpan("r", "", "run\nfake line", "run", 0, 10 * kMs),
      MakeSpan("t", "r", "tool \x1b[2Jclear" + std::string(200, 'x'), "tool", kMs, 2 * kMs),
  };
  std::string text = RenderWaterfall(spans, {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[2].find("…"), std::string::npos);
  for (const auto& line : lines) EXPECT_LE(VisibleWidth(line), 100) << line;
}

TEST(WaterfallTest, OrphansOpenSpansAndEmptyInput) {
  EXPECT_EQ(RenderWaterfall({}, {}), "no spans\n");
  std::vector<Span> spans = {
      MakeSpan("r", "", "renewal_prep", "run", 0, 0 - 1),  // still running
      MakeSpan("o", "lost", "crm.get_usage", "tool", 2 * kMs, 5 * kMs),
      MakeSpan("n", "r", "load_state", "node", kMs, 4 * kMs),
  };
  auto lines = Lines(RenderWaterfall(spans, {}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[1].find("open"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("load_state"), std::string::npos);
  EXPECT_NE(lines[3].find("crm.get_usage"), std::string::npos);
  EXPECT_EQ(Depth(lines[3]), 1) << "an orphan hangs under the run";
  EXPECT_EQ(lines[0].find("tokens"), std::string::npos);
  EXPECT_EQ(lines[0].find("≈"), std::string::npos);
}

}  // namespace
}  // namespace keel
