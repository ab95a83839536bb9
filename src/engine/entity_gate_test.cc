// EntityGate: one state writer per entity at a time, each handed what its
// predecessor wrote; a landed write is remembered for later runs.
#include "engine/entity_gate.h"

#include <gtest/gtest.h>

#include <string>
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

  admitted[0].ticket->Wrote({7, {{"stage", "renewal"}}, "r-1"});
  admitted[0].ticket.reset();
  ASSERT_TRUE(in[1]);
  EXPECT_FALSE(in[2]);
  ASSERT_TRUE(admitted[1].written.has_value());
  EXPECT_EQ(admitted[1].written->version, 7);
  EXPECT_EQ(admitted[1].written->data["stage"], "renewal");
  EXPECT_EQ(admitted[1].written->writer, "r-1");

  admitted[1].ticket.reset();  // wrote nothing (e.g. failed): the last state still stands
  ASSERT_TRUE(in[2]);
  ASSERT_TRUE(admitted[2].written.has_value());
  EXPECT_EQ(admitted[2].written->version, 7);
}

Admission EnterNow(EntityGate& gate, const std::string& entity) {
  Admission admission;
  gate.Enter(entity, [&](EntityGate::TicketPtr t, std::optional<GateState> w) {
    admission = {std::move(t), std::move(w)};
  });
  return admission;
}

TEST(EntityGateTest, OtherEntitiesAreNotHeldUp) {
  EntityGate gate;
  Admission a = EnterNow(gate, "A-1");
  Admission b = EnterNow(gate, "A-2");
  EXPECT_NE(a.ticket, nullptr);
  EXPECT_NE(b.ticket, nullptr) << "a different entity is admitted at once";
}

TEST(EntityGateTest, AWriteIsHandedToLaterRunsOnItsWayAndAfterItLands) {
  EntityGate gate;
  Admission a = EnterNow(gate, "A-1");
  a.ticket->Wrote({3, {{"stage", "renewal"}}, "r-1"});
  a.ticket.reset();  // left as soon as the write was submitted

  // No one was waiting, but the store may not have version 3 yet.
  Admission later = EnterNow(gate, "A-1");
  ASSERT_NE(later.ticket, nullptr);
  ASSERT_TRUE(later.written.has_value());
  EXPECT_EQ(later.written->version, 3);
  EXPECT_EQ(later.written->writer, "r-1");
  later.ticket.reset();

  // The store has it now; a run arriving later (which read version 0 when
  // it started) still finalizes over it instead of a stale version.
  gate.Landed("A-1", 3, true);
  Admission afterwards = EnterNow(gate, "A-1");
  ASSERT_NE(afterwards.ticket, nullptr);
  ASSERT_TRUE(afterwards.written.has_value());
  EXPECT_EQ(afterwards.written->version, 3);
}

TEST(EntityGateTest, RemembersAtMostABoundedNumberOfIdleEntities) {
  EntityGate gate;
  const int entities = static_cast<int>(EntityGate::kRemembered) + 10;
  for (int i = 0; i < entities; ++i) {
    std::string key = "A-" + std::to_string(i);
    Admission a = EnterNow(gate, key);
    a.ticket->Wrote({1, Json::object(), "r-" + std::to_string(i)});
    a.ticket.reset();
    gate.Landed(key, 1, true);
  }
  EXPECT_FALSE(EnterNow(gate, "A-0").written.has_value()) << "the oldest were forgotten";
  EXPECT_FALSE(EnterNow(gate, "A-9").written.has_value());
  Admission newest = EnterNow(gate, "A-" + std::to_string(entities - 1));
  ASSERT_TRUE(newest.written.has_value());
  EXPECT_EQ(newest.written->writer, "r-" + std::to_string(entities - 1));
}

TEST(EntityGateTest, ARejectedWriteIsNotHandedOn) {
  EntityGate gate;
  Admission a = EnterNow(gate, "A-1");
  a.ticket->Wrote({5, Json::object(), "r-1"});
  a.ticket.reset();
  gate.Landed("A-1", 4, true);  // an older write landing changes nothing
  EXPECT_EQ(EnterNow(gate, "A-1").written->version, 5);

  gate.Landed("A-1", 5, false);  // rejected: later runs read the store instead
  EXPECT_FALSE(EnterNow(gate, "A-1").written.has_value());
}

}  // namespace
}  // namespace keel
