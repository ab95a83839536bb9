#include "engine/model_gate.h"

#include <gtest/gtest.h>

#include <vector>

namespace keel {
namespace {

TEST(ModelGateTest, CallsOverTheLimitWaitAndStartInOrderAsSlotsFree) {
  ModelGate gate(2);
  std::vector<int> started;
  for (int i = 0; i < 5; ++i) gate.Enter([&started, i] { started.push_back(i); });
  EXPECT_EQ(started, (std::vector<int>{0, 1}));
  EXPECT_EQ(gate.waiting(), 3u);
  gate.Leave();
  EXPECT_EQ(started, (std::vector<int>{0, 1, 2}));
  gate.Leave();
  gate.Leave();
  EXPECT_EQ(started, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(gate.waiting(), 0u);
  // Two calls are still out; once both end, two more start at once.
  gate.Leave();
  gate.Leave();
  gate.Enter([&started] { started.push_back(5); });
  gate.Enter([&started] { started.push_back(6); });
  EXPECT_EQ(started.back(), 6);
  EXPECT_EQ(gate.waiting(), 0u);
  gate.Enter([&started] { started.push_back(7); });
  EXPECT_EQ(gate.waiting(), 1u);
}

TEST(ModelGateTest, NoLimitStartsEverythingAtOnce) {
  ModelGate gate(0);
  int started = 0;
  for (int i = 0; i < 100; ++i) gate.Enter([&started] { ++started; });
  EXPECT_EQ(started, 100);
  gate.Leave();  // harmless
  EXPECT_EQ(gate.waiting(), 0u);
}

}  // namespace
}  // namespace keel
