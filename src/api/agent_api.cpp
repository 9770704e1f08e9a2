#include "api/agent_api.h"

#include <memory>

#include "api/http_errors.h"
#include "base/log.h"
#include "proto/agent_messages.h"

namespace quarry::api {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

HttpResponse NodeInvalid() { return JsonResponse(proto::RenderNodeInvalid(), 401); }

// The key the request authenticates with: the header wins over the body, as
// osqueryd 5.23+ sends both and older agents only the body.
std::string_view ChooseNodeKey(const HttpRequest& request, std::string_view body_key) {
  std::string_view header = NodeKeyFromHeader(request);
  return header.empty() ? body_key : header;
}

// Completion that turns a store write result into the agent's answer.
store::Done<void> AckAfterCommit(Reply reply) {
  return [reply = std::move(reply)](Result<void> r) {
    if (!r) {
      log::Warn("agent write not acknowledged: {}", r.error().message);
      reply(ErrorResponse(r.error()));
      return;
    }
    reply(JsonResponse(proto::RenderEmptyObject()));
  };
}

class AgentHandlers {
 public:
  explicit AgentHandlers(fleet::Fleet& fleet) : fleet_(fleet) {}

  void Enroll(HttpRequest&& request, Reply reply) {
    auto parsed = proto::ParseEnroll(request.body);
    if (!parsed) {
      reply(ErrorResponse(parsed.error()));
      return;
    }
    fleet_.Enroll(std::move(*parsed), request.remote_address,
                  [reply = std::move(reply)](Result<std::string> key) {
                    if (key) {
                      reply(JsonResponse(proto::RenderEnrollAccepted(*key)));
                    } else if (key.error().code == ErrorCode::kUnauthenticated) {
                      reply(JsonResponse(proto::RenderEnrollRefused(), 401));
                    } else if (key.error().code == ErrorCode::kUnavailable) {
                      // No node_key: osqueryd backs off and retries.
                      reply(JsonResponse(proto::RenderEnrollRefused(), 429));
                    } else {
                      reply(ErrorResponse(key.error()));
                    }
                  });
  }

  void Config(HttpRequest&& request, Reply reply) {
    auto node = AuthenticateSmall(request, reply, store::SeenVia::kConfig);
    if (!node) return;
    reply(JsonResponse(fleet_.ConfigFor(*node)));
  }

  void Log(HttpRequest&& request, Reply reply) {
    auto parsed = proto::ParseLog(request.body);
    if (!parsed) {
      reply(ErrorResponse(parsed.error()));
      return;
    }
    fleet::NodeRef node =
        fleet_.Authenticate(ChooseNodeKey(request, parsed->node_key), store::SeenVia::kLog);
    if (!node) {
      reply(NodeInvalid());
      return;
    }
    fleet_.IngestLogs(*node, std::move(*parsed), AckAfterCommit(std::move(reply)));
  }

  void DistributedRead(HttpRequest&& request, Reply reply) {
    auto node = AuthenticateSmall(request, reply, store::SeenVia::kDistributed);
    if (!node) return;
    fleet_.ReadDistributed(node, [reply = std::move(reply)](fleet::DistributedWork work) {
      reply(JsonResponse(proto::RenderDistributedRead(work.queries, work.accelerate_seconds)));
    });
  }

  void DistributedWrite(HttpRequest&& request, Reply reply) {
    auto parsed = proto::ParseDistributedWrite(request.body);
    if (!parsed) {
      reply(ErrorResponse(parsed.error()));
      return;
    }
    fleet::NodeRef node = fleet_.Authenticate(ChooseNodeKey(request, parsed->node_key),
                                              store::SeenVia::kDistributed);
    if (!node) {
      reply(NodeInvalid());
      return;
    }
    fleet_.WriteDistributed(*node, std::move(*parsed), AckAfterCommit(std::move(reply)));
  }

  void Carve(HttpRequest&& request, Reply reply) {
    reply(ErrorResponse(501, "file carving is not implemented yet"));
  }

 private:
  // For bodies that carry only {"node_key"}: parse, authenticate, or answer.
  fleet::NodeRef AuthenticateSmall(const HttpRequest& request, Reply& reply, store::SeenVia via) {
    auto body_key = proto::ParseNodeKey(request.body);
    if (!body_key) {
      reply(ErrorResponse(body_key.error()));
      return nullptr;
    }
    fleet::NodeRef node = fleet_.Authenticate(ChooseNodeKey(request, *body_key), via);
    if (!node) reply(NodeInvalid());
    return node;
  }

  fleet::Fleet& fleet_;
};

std::string WithoutV1(const std::string& prefix) {
  auto pos = prefix.find("/v1");
  if (pos == std::string::npos) return prefix;
  return prefix.substr(0, pos) + prefix.substr(pos + 3);
}

}  // namespace

std::string_view NodeKeyFromHeader(const net::HttpRequest& request) {
  auto header = request.Header("Authorization");
  if (!header || !StartsWithNoCase(*header, "NodeKey ")) return {};
  std::string_view key = header->substr(8);
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  return key;
}

std::vector<AgentPathSet> AgentPathSets(const config::AgentPaths& p) {
  auto own = [&](std::string name, const std::string& prefix) {
    return AgentPathSet{std::move(name),
                        prefix + p.enroll,
                        prefix + p.config,
                        prefix + p.log,
                        prefix + p.distributed_read,
                        prefix + p.distributed_write,
                        prefix + p.carve_begin,
                        prefix + p.carve_block};
  };
  std::vector<AgentPathSet> sets;
  sets.push_back(own("quarry", p.prefix));
  std::string short_prefix = WithoutV1(p.prefix);
  if (short_prefix != p.prefix) sets.push_back(own("quarry-short", short_prefix));
  sets.push_back(AgentPathSet{"splunk", "/services/osquery/enroll", "/services/osquery/config",
                              "/services/osquery/logger", "/services/osquery/distributed_read",
                              "/services/osquery/distributed_write", "", ""});
  return sets;
}

void AddAgentRoutes(RouteTable& routes, fleet::Fleet& fleet, const config::AgentPaths& paths,
                    const config::Limits& limits) {
  auto handlers = std::make_shared<AgentHandlers>(fleet);
  auto endpoint = [&](auto method, size_t body_limit, bool gzip) {
    net::Endpoint e;
    e.handler = [handlers, method](HttpRequest&& request, Reply reply) {
      ((*handlers).*method)(std::move(request), std::move(reply));
    };
    e.body_limit = body_limit;
    e.inflated_limit = gzip ? limits.inflated_body_bytes : body_limit;
    e.accept_gzip = gzip;
    return e;
  };
  for (const auto& set : AgentPathSets(paths)) {
    routes.Add("POST", set.enroll, endpoint(&AgentHandlers::Enroll, limits.enroll_body_bytes, false));
    routes.Add("POST", set.config, endpoint(&AgentHandlers::Config, limits.small_body_bytes, false));
    routes.Add("POST", set.log, endpoint(&AgentHandlers::Log, limits.log_body_bytes, true));
    routes.Add("POST", set.distributed_read,
               endpoint(&AgentHandlers::DistributedRead, limits.small_body_bytes, false));
    routes.Add("POST", set.distributed_write,
               endpoint(&AgentHandlers::DistributedWrite, limits.write_body_bytes, true));
    if (!set.carve_begin.empty()) {
      routes.Add("POST", set.carve_begin, endpoint(&AgentHandlers::Carve, limits.small_body_bytes, false));
      routes.Add("POST", set.carve_block, endpoint(&AgentHandlers::Carve, limits.small_body_bytes, false));
    }
  }
}

}  // namespace quarry::api
