// The `quarry` command.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/serve.h"
#include "config/server_config.h"

extern char** environ;

int main(int argc, char** argv) {
  CLI::App app{"Quarry: query every server you run, on the fly, with SQL (osquery TLS server)"};
  app.require_subcommand(1);

  quarry::cli::ServeFlags serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the server (agent and operator listeners)");
  serve_cmd->add_option("--config", serve.config_file, "TOML config file");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Data directory (default ./quarry-data)");
  serve_cmd->add_option("--agent-listen", serve.agent_listen, "Agent listener host:port (default 0.0.0.0:8443)");
  serve_cmd->add_option("--admin-listen", serve.admin_listen, "Operator listener host:port (default 127.0.0.1:8444)");
  serve_cmd->add_option("--log-level", serve.log_level, "debug, info, warn or error");

  auto* config_cmd = app.add_subcommand("config", "Configuration tools");
  config_cmd->require_subcommand(1);
  std::string check_file;
  auto* check_cmd = config_cmd->add_subcommand("check", "Validate a config file");
  check_cmd->add_option("FILE", check_file, "TOML config file")->required();

  CLI11_PARSE(app, argc, argv);

  if (*serve_cmd) return quarry::cli::RunServe(serve, environ);
  if (*check_cmd) {
    auto errors = quarry::config::CheckConfigFile(check_file);
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (errors.empty()) std::printf("%s: OK\n", check_file.c_str());
    return errors.empty() ? 0 : 1;
  }
  return 0;
}
