#include "fleet/node_registry.h"

#include <gtest/gtest.h>

#include "base/secret.h"

namespace quarry::fleet {
namespace {

store::Node MakeNode(store::NodeId id, const std::string& key) {
  store::Node n;
  n.id = id;
  n.identity.host_identifier = "host-" + std::to_string(id);
  n.identity.platform = "ubuntu";
  n.node_key_hash = HashSecret(key);
  return n;
}

TEST(NodeRegistry, FindsByKeyAndById) {
  InitSecrets();
  NodeRegistry r;
  r.Apply(MakeNode(1, "k1"));
  r.Apply(MakeNode(2, "k2"));
  ASSERT_NE(r.FindByKey("k1"), nullptr);
  EXPECT_EQ(r.FindByKey("k1")->id, 1);
  EXPECT_EQ(r.FindByKey("k2")->id, 2);
  EXPECT_EQ(r.FindByKey("k3"), nullptr);
  EXPECT_EQ(r.FindByKey(""), nullptr);
  EXPECT_EQ(r.FindById(2)->host_identifier, "host-2");
  EXPECT_EQ(r.size(), 2u);
}

TEST(NodeRegistry, NewKeyReplacesOldKey) {
  InitSecrets();
  NodeRegistry r;
  r.Apply(MakeNode(1, "old"));
  r.Apply(MakeNode(1, "new"));
  EXPECT_EQ(r.FindByKey("old"), nullptr);
  ASSERT_NE(r.FindByKey("new"), nullptr);
  EXPECT_EQ(r.size(), 1u);
}

TEST(NodeRegistry, RevokedNodeStopsMatching) {
  InitSecrets();
  NodeRegistry r;
  r.Apply(MakeNode(1, "k"));
  store::Node revoked = MakeNode(1, "k");
  revoked.revoked = true;
  revoked.node_key_hash.clear();
  r.Apply(revoked);
  EXPECT_EQ(r.FindByKey("k"), nullptr);
  EXPECT_TRUE(r.All().empty());
}

TEST(NodeRegistry, LastSeenIsDrainedOnceAndSurvivesReEnroll) {
  InitSecrets();
  NodeRegistry r;
  r.Apply(MakeNode(7, "k"));
  EXPECT_TRUE(r.TakeDirtyLastSeen().empty());
  r.FindByKey("k")->Touch(store::SeenVia::kDistributed, 1000);
  r.FindByKey("k")->Touch(store::SeenVia::kConfig, 900);  // older: last_seen stays 1000
  auto seen = r.TakeDirtyLastSeen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].node, 7);
  EXPECT_EQ(seen[0].last_seen_us, 1000);
  EXPECT_EQ(seen[0].last_distributed_us, 1000);
  EXPECT_EQ(seen[0].last_config_us, 900);
  EXPECT_TRUE(r.TakeDirtyLastSeen().empty());
  r.FindByKey("k")->Touch(store::SeenVia::kLog, 2000);
  r.Apply(MakeNode(7, "k2"));  // re-enroll keeps the newer in-memory time
  EXPECT_EQ(r.FindByKey("k2")->last_seen_us.load(), 2000);
}

}  // namespace
}  // namespace quarry::fleet
