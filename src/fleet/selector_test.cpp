#include "fleet/selector.h"

#include <gtest/gtest.h>

#include "base/secret.h"

namespace quarry::fleet {
namespace {

class SelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitSecrets();
    Add(1, "web-1", "ubuntu", "9", {"prod"});
    Add(2, "web-2", "rhel", "9", {"prod"});
    Add(3, "mac-1", "darwin", "21", {});
    Add(4, "win-1", "windows", "2", {"prod"});
    labels_.ApplyLabel(store::Label{10, "db", "", store::LabelKind::kManual}, false);
    labels_.ApplyMembership({10, 2, true, 0});
    labels_.ApplyMembership({10, 3, true, 0});
  }
  void Add(store::NodeId id, const std::string& name, const std::string& platform,
           const std::string& type, std::vector<std::string> secret_labels) {
    store::Node n;
    n.id = id;
    n.identity.host_identifier = "uuid-" + name;
    n.identity.hostname = name;
    n.identity.platform = platform;
    n.identity.platform_type = type;
    n.node_key_hash = HashSecret("key-" + name);
    n.secret_labels = std::move(secret_labels);
    nodes_.Apply(n);
  }
  std::vector<store::NodeId> Resolve(const TargetSelector& s) {
    auto r = ResolveTargets(s, nodes_, labels_);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::vector<store::NodeId>{};
  }
  NodeRegistry nodes_;
  LabelIndex labels_;
};

using Ids = std::vector<store::NodeId>;

TEST_F(SelectorTest, AllHosts) { EXPECT_EQ(Resolve({.all = true}), (Ids{1, 2, 3, 4})); }

TEST_F(SelectorTest, NamedHostsByIdIdentifierOrHostname) {
  EXPECT_EQ(Resolve({.host_ids = {3}, .hosts = {"web-1", "uuid-win-1"}}), (Ids{1, 3, 4}));
}

TEST_F(SelectorTest, PlatformFamiliesAndExactPlatformsAreOred) {
  EXPECT_EQ(Resolve({.platforms = {"linux"}}), (Ids{1, 2}));
  EXPECT_EQ(Resolve({.platforms = {"ubuntu", "darwin"}}), (Ids{1, 3}));
  EXPECT_EQ(Resolve({.platforms = {"windows"}}), (Ids{4}));
}

TEST_F(SelectorTest, LabelsFromStoreAndFromEnrollSecretsAreOred) {
  EXPECT_EQ(Resolve({.labels = {"db"}}), (Ids{2, 3}));
  EXPECT_EQ(Resolve({.labels = {"prod"}}), (Ids{1, 2, 4}));
  EXPECT_EQ(Resolve({.labels = {"prod", "db"}}), (Ids{1, 2, 3, 4}));
}

TEST_F(SelectorTest, KindsAreAndedAndNamedHostsAlwaysIncluded) {
  EXPECT_EQ(Resolve({.platforms = {"linux"}, .labels = {"db"}}), (Ids{2}));
  EXPECT_EQ(Resolve({.hosts = {"win-1"}, .platforms = {"linux"}, .labels = {"db"}}), (Ids{2, 4}));
}

TEST_F(SelectorTest, ErrorsNameTheProblem) {
  auto unknown_label = ResolveTargets({.labels = {"nope"}}, nodes_, labels_);
  ASSERT_FALSE(unknown_label);
  EXPECT_NE(unknown_label.error().message.find("nope"), std::string::npos);
  auto unknown_host = ResolveTargets({.hosts = {"ghost"}}, nodes_, labels_);
  ASSERT_FALSE(unknown_host);
  EXPECT_NE(unknown_host.error().message.find("ghost"), std::string::npos);
  EXPECT_FALSE(ResolveTargets({}, nodes_, labels_));
  auto none = ResolveTargets({.platforms = {"freebsd"}}, nodes_, labels_);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SelectorTest, LeavingALabelRemovesTheHost) {
  labels_.ApplyMembership({10, 3, false, 0});
  EXPECT_EQ(Resolve({.labels = {"db"}}), (Ids{2}));
  labels_.ApplyLabel(store::Label{10, "db", "", store::LabelKind::kManual}, true);
  EXPECT_FALSE(ResolveTargets({.labels = {"db"}}, nodes_, labels_));
}

}  // namespace
}  // namespace quarry::fleet
