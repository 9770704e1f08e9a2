#include "cli/serve.h"

#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fmt/format.h>

#include "api/agent_api.h"
#include "api/blocking_pool.h"
#include "api/operator_api.h"
#include "api/route_table.h"
#include "api/web_ui.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/secret.h"
#include "cli/data_dir.h"
#include "config/server_config.h"
#include "fleet/fleet.h"
#include "net/http_server.h"
#include "net/pki.h"
#include "store/sqlite/sqlite_store.h"

namespace quarry::cli {
namespace {

std::string MachineHostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// The flagfile an osqueryd needs to talk to this server: every remote flag set.
std::string RenderFlagfile(const config::ServerConfig& cfg, const std::string& host, uint16_t port,
                           const std::string& ca_path, const std::string& secret_path) {
  const api::AgentPathSet set = api::AgentPathSets(cfg.agent.paths).front();
  std::string out;
  out += "# osqueryd flagfile written by `quarry serve` (regenerated at every start).\n";
  out += "# Use: osqueryd --flagfile=" + AbsolutePath(cfg.data_dir) + "/osquery.flags\n";
  out += fmt::format("--tls_hostname={}:{}\n", host, port);
  out += "--tls_server_certs=" + ca_path + "\n";
  out += "--host_identifier=uuid\n";
  if (!secret_path.empty()) {
    out += "--enroll_secret_path=" + secret_path + "\n";
  } else {
    out += "# --enroll_secret_path=<a file holding one of the enroll secrets in the config>\n";
  }
  out += "--enroll_tls_endpoint=" + set.enroll + "\n";
  out += "--config_plugin=tls\n";
  out += "--config_tls_endpoint=" + set.config + "\n";
  out += fmt::format("--config_refresh={}\n", cfg.agent.config_refresh);
  out += fmt::format("--config_accelerated_refresh={}\n", std::max(10, cfg.agent.config_refresh / 2));
  out += "--logger_plugin=tls\n";
  out += "--logger_tls_endpoint=" + set.log + "\n";
  out += fmt::format("--logger_tls_period={}\n", cfg.agent.logger_period);
  out += "--logger_tls_compress=true\n";
  out += "--disable_distributed=false\n";
  out += "--distributed_plugin=tls\n";
  out += fmt::format("--distributed_interval={}\n", cfg.agent.distributed_interval);
  out += "--distributed_tls_read_endpoint=" + set.distributed_read + "\n";
  out += "--distributed_tls_write_endpoint=" + set.distributed_write + "\n";
  out += "--distributed_tls_max_attempts=3\n";
  return out;
}

net::ConnectionLimits LimitsFrom(const config::Limits& l) {
  net::ConnectionLimits c;
  c.header_limit = l.header_bytes;
  c.handshake_timeout = l.handshake_timeout;
  c.read_timeout = l.read_timeout;
  c.idle_timeout = l.idle_timeout;
  c.write_timeout = l.write_timeout;
  c.max_connections = l.max_connections;
  return c;
}

Result<net::ClientCertMode> CertMode(const std::string& mode) {
  if (mode == "off") return net::ClientCertMode::kOff;
  if (mode == "optional") return net::ClientCertMode::kOptional;
  if (mode == "required") return net::ClientCertMode::kRequired;
  return Fail(ErrorCode::kInvalidArgument, "tls.client_cert_mode: " + mode);
}

log::Level ParseLevel(const std::string& s) {
  if (s == "debug") return log::Level::kDebug;
  if (s == "warn") return log::Level::kWarn;
  if (s == "error") return log::Level::kError;
  return log::Level::kInfo;
}

int Die(const std::string& what) {
  std::fprintf(stderr, "quarry serve: %s\n", what.c_str());
  return 1;
}

}  // namespace

int RunServe(const ServeFlags& flags, char** env) {
  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  InitSecrets();

  auto loaded = config::LoadConfig(flags.config_file, env);
  if (!loaded) return Die(loaded.error().message);
  config::ServerConfig cfg = std::move(*loaded);
  if (!flags.data_dir.empty()) cfg.data_dir = flags.data_dir;
  if (!flags.agent_listen.empty()) cfg.agent.listen = flags.agent_listen;
  if (!flags.admin_listen.empty()) cfg.admin.listen = flags.admin_listen;
  if (!flags.log_level.empty()) cfg.log_level = flags.log_level;
  log::SetLevel(ParseLevel(cfg.log_level));

  auto agent_addr = config::ParseListenAddress(cfg.agent.listen);
  if (!agent_addr) return Die("--agent-listen: " + agent_addr.error().message);
  auto admin_addr = config::ParseListenAddress(cfg.admin.listen);
  if (!admin_addr) return Die("--admin-listen: " + admin_addr.error().message);

  if (auto r = EnsureDirectory(cfg.data_dir); !r) return Die(r.error().message);
  const std::string dir = AbsolutePath(cfg.data_dir);

  // Certificates: the user's, or a CA and server certificate generated once.
  net::TlsOptions tls;
  std::string ca_path;
  if (!cfg.tls.cert_file.empty()) {
    tls.cert_file = cfg.tls.cert_file;
    tls.key_file = cfg.tls.key_file;
    ca_path = cfg.tls.cert_file;
  } else {
    auto pki = net::EnsureServerPki(dir, cfg.tls.extra_names);
    if (!pki) return Die(pki.error().message);
    tls.cert_file = pki->server_cert;
    tls.key_file = pki->server_key;
    ca_path = pki->ca_cert;
    if (pki->generated) log::Info("generated a CA and server certificate in {}", dir);
  }
  tls.client_ca_file = cfg.tls.client_ca_file;
  auto mode = CertMode(cfg.tls.client_cert_mode);
  if (!mode) return Die(mode.error().message);
  tls.client_cert_mode = *mode;

  // Enroll secrets: the config's, or one default secret generated once.
  std::vector<fleet::EnrollSecret> secrets;
  std::string secret_path;
  if (cfg.enroll_secrets.empty()) {
    secret_path = JoinPath(dir, "enroll_secret");
    bool created = false;
    auto secret = ReadOrCreateSecret(secret_path, 32, &created);
    if (!secret) return Die(secret.error().message);
    secrets.push_back(fleet::EnrollSecret{"default", *secret, {}});
  } else {
    for (const auto& s : cfg.enroll_secrets) secrets.push_back({s.name, s.secret, s.labels});
  }

  bool token_created = false;
  std::string token_path = JoinPath(dir, "operator_token");
  auto token = ReadOrCreateSecret(token_path, 32, &token_created);
  if (!token) return Die(token.error().message);

  // Store.
  store::SqliteOptions store_options;
  store_options.path = cfg.store.sqlite_path.empty() ? JoinPath(dir, "quarry.db")
                                                     : cfg.store.sqlite_path;
  store_options.write_queue_limit = cfg.limits.write_queue;
  if (cfg.store.driver != "sqlite") return Die("store.driver '" + cfg.store.driver + "' is not available yet; use sqlite");
  auto store = store::OpenSqliteStore(store_options);
  if (!store) return Die(store.error().message);

  // Domain.
  fleet::FleetOptions fleet_options;
  fleet_options.enroll_secrets = secrets;
  fleet_options.enroll_failures_per_minute = cfg.limits.enroll_failures_per_minute;
  // osqueryd polls every 5 s while accelerated: with a shorter interval (the
  // held-poll default) accelerating would slow a host down, so it is not sent.
  fleet_options.accelerate_seconds =
      cfg.agent.distributed_interval > 5 ? cfg.agent.accelerate_seconds : 0;
  fleet_options.hold_poll = std::chrono::milliseconds(cfg.agent.hold_poll_ms);
  int64_t window_s = cfg.agent.online_window_seconds > 0
                         ? cfg.agent.online_window_seconds
                         : 2 * (cfg.agent.distributed_interval + (cfg.agent.hold_poll_ms + 999) / 1000);
  fleet_options.online_window = std::chrono::seconds(std::max<int64_t>(window_s, 10));
  fleet_options.config_assembler = [&cfg](const std::string& platform,
                                          const std::string& platform_type) {
    return config::OsqueryConfigFor(cfg, platform, platform_type);
  };
  fleet::Fleet fleet(**store, SystemClock::Instance(), fleet_options);
  (*store)->SetObserver(&fleet);
  api::RunStreams streams(fleet, **store);
  fleet.SetRunListener([&streams](store::RunId run) { streams.OnRunChanged(run); });
  if (auto r = fleet.Start(); !r) return Die(r.error().message);
  streams.Start();

  api::OperatorAuth auth(store->get());
  auth.AddBootstrapToken(*token, api::Role::kAdmin, "admin");

  // Routes and listeners.
  api::BlockingPool pool(4);
  api::RouteTable agent_routes;
  api::AddAgentRoutes(agent_routes, fleet, cfg.agent.paths, cfg.limits);
  api::RouteTable admin_routes;
  api::AddOperatorRoutes(admin_routes, api::OperatorApiDeps{fleet, **store, auth, pool, streams},
                         cfg.limits);
  api::AddWebUiRoutes(admin_routes, auth, pool, cfg.limits);

  net::HttpServer server(cfg.threads);
  net::ListenerOptions agent_listener;
  agent_listener.address = agent_addr->first;
  agent_listener.port = agent_addr->second;
  agent_listener.tls = tls;
  agent_listener.limits = LimitsFrom(cfg.limits);
  auto agent_port = server.AddListener(agent_listener, agent_routes);
  if (!agent_port) return Die("agent listener " + cfg.agent.listen + ": " + agent_port.error().message);

  net::ListenerOptions admin_listener;
  admin_listener.address = admin_addr->first;
  admin_listener.port = admin_addr->second;
  admin_listener.tls = tls;
  admin_listener.tls.enabled = cfg.admin.tls;
  admin_listener.tls.client_cert_mode = net::ClientCertMode::kOff;
  admin_listener.limits = LimitsFrom(cfg.limits);
  auto admin_port = server.AddListener(admin_listener, admin_routes);
  if (!admin_port) return Die("admin listener " + cfg.admin.listen + ": " + admin_port.error().message);

  std::string public_host = cfg.agent.public_hostname.empty() ? MachineHostname()
                                                              : cfg.agent.public_hostname;
  std::string flagfile = JoinPath(dir, "osquery.flags");
  if (auto r = WriteFileAtomic(flagfile, RenderFlagfile(cfg, public_host, *agent_port, ca_path,
                                                        secret_path),
                               0644);
      !r) {
    return Die(r.error().message);
  }
  std::string admin_scheme = cfg.admin.tls ? "https" : "http";
  std::string connect_host = agent_addr->first == "0.0.0.0" || agent_addr->first == "::"
                                 ? "127.0.0.1"
                                 : agent_addr->first;
  boost::json::object info{
      {"pid", static_cast<int64_t>(::getpid())},
      {"agent_url", fmt::format("https://{}:{}", connect_host, *agent_port)},
      {"admin_url", fmt::format("{}://{}:{}", admin_scheme, admin_addr->first, *admin_port)},
      {"ca_file", ca_path},
      {"enroll_secret_file", secret_path},
      {"operator_token_file", token_path},
      {"flagfile", flagfile}};
  if (auto r = WriteFileAtomic(JoinPath(dir, "server.json"), boost::json::serialize(info) + "\n", 0644);
      !r) {
    return Die(r.error().message);
  }

  server.Start();
  std::printf(
      "quarry serve: ready\n"
      "  agents:      https://%s:%u   (osqueryd --flagfile=%s)\n"
      "  operators:   %s://%s:%u   (token in %s)\n"
      "  CA:          %s\n"
      "  enroll secret: %s\n"
      "  database:    %s\n",
      agent_addr->first.c_str(), *agent_port, flagfile.c_str(), admin_scheme.c_str(),
      admin_addr->first.c_str(), *admin_port, token_path.c_str(), ca_path.c_str(),
      secret_path.empty() ? "(from the config file)" : secret_path.c_str(),
      store_options.path.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::Info("signal {}: shutting down", sig);
  streams.Stop();
  server.Stop();
  pool.Stop();
  fleet.Stop();
  (*store)->Close();
  log::Info("stopped");
  return 0;
}

}  // namespace quarry::cli
