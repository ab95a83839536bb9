// EntityGate: one state writer per entity at a time, each handed what its
// predecessor wrote.
#include "engine/entity_gate.h"

#include <gtest/gtest.h>

#include <vector>

namespace keel {
namespace {

struct Admission {
  EntityGate::TicketPtr ticket;
  std::optional<GateState> written;
};

TEST(EntityGateTest, RunsOfOneEntityGoOneAtATimeAndSeeTheLatestState) {
  EntityGate gate;
  std::vector<Admission> admitted(3);
  std::vector<bool> in(3, false);
  for (int i = 0; i < 3; ++i) {
    gate.Enter("A-1", [&, i](EntityGate::TicketPtr t, std::optional<GateState> w) {
      in[i] = true;
      admitted[i] = {std::move(t), std::move(w)};
    });
  }
  ASSERT_TRUE(in[0]);
  EXPECT_FALSE(in[1]) << "the second waits while the first holds the entity";
  EXPECT_FALSE(admitted[0].written.has_value()) << "nothing written through the gate yet";

  admitted[0].ticket->Wrote(7, {{"stage", "renewal"}});
  admitted[0].ticket.reset();
  ASSERT_TRUE(in[1]);
  EXPECT_FALSE(in[2]);
  ASSERT_TRUE(admitted[1].written.has_value());
  EXPECT_EQ(admitted[1].written->version, 7);
  EXPECT_EQ(admitted[1].written->data["stage"], "renewal");

  admitted[1].ticket.reset();  // wrote nothing (e.g. failed): the last state still stands
  ASSERT_TRUE(in[2]);
  ASSERT_TRUE(admitted[2].written.has_value());
  EXPECT_EQ(admitted[2].written->version, 7);
}

TEST(EntityGateTest, OtherEntitiesAreNotHeldUpAndAFreedEntityStartsAfresh) {
  EntityGate gate;
  Admission a, b;
  gate.Enter("A-1", [&](EntityGate::TicketPtr t, std::optional<GateState> w) {
    a = {std::move(t), std::move(w)};
  });
  gate.Enter("A-2", [&](EntityGate::TicketPtr t, std::optional<GateState> w) {
    b = {std::move(t), std::move(w)};
  });
  EXPECT_NE(a.ticket, nullptr);
  EXPECT_NE(b.ticket, nullptr) << "a different entity is admitted at once";
  a.ticket->Wrote(3, Json::object());
  a.ticket.reset();
  // No one was waiting: the gate forgot the entity (the store has its state).
  Admission again;
  gate.Enter("A-1", [&](EntityGate::TicketPtr t, std::optional<GateState> w) {
    again = {std::move(t), std::move(w)};
  });
  ASSERT_NE(again.ticket, nullptr);
  EXPECT_FALSE(again.written.has_value());
}

}  // namespace
}  // namespace keel
