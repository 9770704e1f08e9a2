// Agent responses, built with Boost.JSON (the project's one JSON writer). They
// are small, so building a value and serialising it costs next to nothing.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "proto/agent_messages.h"

namespace quarry::proto {
namespace {

boost::json::string_view View(std::string_view text) {
  return boost::json::string_view(text.data(), text.size());
}

}  // namespace

std::string RenderEnrollAccepted(std::string_view node_key) {
  boost::json::object response;
  response.emplace("node_key", View(node_key));
  response.emplace("node_invalid", false);
  return boost::json::serialize(response);
}

std::string RenderEnrollRefused() { return RenderNodeInvalid(); }

std::string RenderNodeInvalid() {
  boost::json::object response;
  response.emplace("node_invalid", true);
  return boost::json::serialize(response);
}

std::string RenderEmptyObject() { return boost::json::serialize(boost::json::object()); }

std::string RenderDistributedRead(const std::vector<PendingQuery>& queries,
                                  int accelerate_seconds) {
  boost::json::object by_id;
  by_id.reserve(queries.size());
  for (const PendingQuery& query : queries) {
    by_id.insert_or_assign(View(query.id), View(query.sql));
  }
  boost::json::object response;
  response.emplace("queries", std::move(by_id));
  // osqueryd honours `accelerate` only as a JSON integer (reference 5.3), and a
  // zero would be noise.
  if (accelerate_seconds > 0) response.emplace("accelerate", accelerate_seconds);
  return boost::json::serialize(response);
}

std::string RenderError(std::string_view message) {
  boost::json::object response;
  response.emplace("error", View(message));
  return boost::json::serialize(response);
}

}  // namespace quarry::proto
