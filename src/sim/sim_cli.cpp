#include "sim/sim_cli.h"

#include <CLI/CLI.hpp>

namespace quarry::sim {

void AddSimOptions(CLI::App* app, SimFlags& flags) {
  app->footer(
      "Durations: 90, 90s, 500ms, 5m, 1h30m. Without --server/--ca/--enroll-secret-file the\n"
      "target is read from <data-dir>/server.json of a local `quarry serve`.");
  // Target.
  app->add_option("--server", flags.server, "Agent endpoint, https://host:port")->group("Target");
  app->add_option("--ca", flags.ca_file,
                  "CA certificate the server's chains to (osqueryd's --tls_server_certs)")
      ->group("Target");
  app->add_option("--enroll-secret-file", flags.enroll_secret_file,
                  "File holding the enroll secret")
      ->group("Target");
  app->add_option("--data-dir", flags.data_dir,
                  "A local server's data directory (default ./quarry-data)")
      ->group("Target");
  // Fleet.
  app->add_option("--hosts", flags.hosts, "Number of simulated hosts (default 10)")
      ->check(CLI::Range(1u, 10'000'000u));
  app->add_option("--platforms", flags.platforms,
                  "Platform mix: linux,darwin,windows or linux=80,darwin=15,windows=5");
  app->add_option("--seed", flags.seed,
                  "Fleet seed: the same seed gives the same hosts (default 1)");
  app->add_option("--first-index", flags.first_index,
                  "Index of the first host, to split one fleet over several processes");
  // Behaviour.
  app->add_option("--distributed-interval", flags.distributed_interval,
                  "Seconds between distributed reads; 0 = the served config's (default 0)");
  app->add_option("--config-refresh", flags.config_refresh,
                  "Config refresh period; 0 = fetch once (default 60s)");
  app->add_option("--logger-period", flags.logger_period,
                  "Logger flush period; 0 = the served config's (default 0)");
  app->add_option("--connections", flags.connections,
                  "per-host (one connection) or per-role (config, logger, distributed)")
      ->check(CLI::IsMember({"per-host", "per-role"}));
  app->add_option("--ramp-up", flags.ramp_up, "Spread host starts over this time (default 0)");
  app->add_flag("--no-schedule", flags.no_schedule, "Run no scheduled queries");
  // Run.
  app->add_option("--duration", flags.duration,
                  "Stop after this long; 0 = until Ctrl-C (default 0)");
  app->add_option("--threads", flags.threads, "Event-loop threads; 0 = one per core (default 0)");
  app->add_flag("-v,--verbose", flags.verbose, "Print statistics to stderr periodically");
  app->add_option("--stats-every", flags.stats_every,
                  "Statistics period with --verbose or --stats-json (default 10s)");
  app->add_option("--stats-json", flags.stats_json,
                  "Write a JSON line of statistics (with latency histograms) to FILE every "
                  "--stats-every and at the end");
}

}  // namespace quarry::sim
