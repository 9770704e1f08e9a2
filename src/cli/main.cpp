// The `quarry` command.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/serve.h"
#include "config/server_config.h"
#include "sim/sim_cli.h"

extern char** environ;

namespace {

using namespace quarry::cli;

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// A list option: "--hosts a,b" (or repeated); one value per occurrence so that
// it never swallows a positional after it.
CLI::Option* AddList(CLI::App* cmd, const std::string& name, std::vector<std::string>& into,
                     const std::string& help) {
  return cmd->add_option(name, into, help)->delimiter(',')->allow_extra_args(false);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Quarry: query every server you run, on the fly, with SQL (osquery TLS server)"};
  app.require_subcommand(1);
  app.footer(
      "Operator commands find the server in --server/--token/--ca, else QUARRY_SERVER,\n"
      "QUARRY_TOKEN and QUARRY_CA, else the server.json of a local data directory\n"
      "(--data-dir, default ./quarry-data). Exit codes: 0 ok, 1 refused or nothing\n"
      "answered, 2 usage or connection error.");

  ServeFlags serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the server (agent and operator listeners)");
  serve_cmd->add_option("--config", serve.config_file, "TOML config file");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Data directory (default ./quarry-data)");
  serve_cmd->add_option("--agent-listen", serve.agent_listen,
                        "Agent listener host:port (default 0.0.0.0:8443)");
  serve_cmd->add_option("--admin-listen", serve.admin_listen,
                        "Operator listener host:port (default 127.0.0.1:8444)");
  serve_cmd->add_option("--log-level", serve.log_level, "debug, info, warn or error");

  quarry::sim::SimFlags sim;
  auto* sim_cmd =
      app.add_subcommand("sim", "Run simulated osqueryd hosts against a server (demo, tests, load)");
  quarry::sim::AddSimOptions(sim_cmd, sim);

  auto* config_cmd = app.add_subcommand("config", "Configuration tools");
  config_cmd->require_subcommand(1);
  std::string check_file;
  auto* check_cmd = config_cmd->add_subcommand("check", "Validate a config file");
  check_cmd->add_option("FILE", check_file, "TOML config file")->required();

  // Operator commands. Every one takes the connection options and --format;
  // they all write into the same variables, whichever (sub)command parsed them.
  ConnectionFlags conn;
  std::string format = "table";
  auto operator_cmd = [&](CLI::App* parent, const std::string& name, const std::string& help,
                          bool with_format = true) {
    auto* cmd = parent->add_subcommand(name, help);
    cmd->add_option("--server", conn.server,
                    "Operator API URL, e.g. https://127.0.0.1:8444 (env QUARRY_SERVER)")
        ->group("Connection");
    cmd->add_option("--token", conn.token, "Operator token (env QUARRY_TOKEN)")
        ->group("Connection");
    cmd->add_option("--ca", conn.ca_file, "CA certificate that signed the server's (env QUARRY_CA)")
        ->group("Connection");
    cmd->add_option("--data-dir", conn.data_dir,
                    "A local server's data directory (default ./quarry-data)")
        ->group("Connection");
    if (with_format) {
      cmd->add_option("--format", format, "Output: table, json, jsonl or csv (default table)")
          ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}));
    }
    return cmd;
  };

  // quarry query
  QueryFlags query;
  std::vector<std::string> query_words;
  auto* query_cmd =
      operator_cmd(&app, "query", "Run SQL on hosts now and show the rows as they come");
  query_cmd->add_option("SQL", query_words, "osquery SQL (quote it)")->required();
  auto* q_hosts =
      AddList(query_cmd, "--hosts", query.hosts, "Hosts: ids, identifiers or hostnames");
  auto* q_labels =
      AddList(query_cmd, "--labels", query.labels, "Hosts carrying any of these labels");
  auto* q_platform =
      AddList(query_cmd, "--platform", query.platforms, "linux, darwin, windows, ubuntu, ...");
  query_cmd->add_flag("--all", query.all, "Every host (the default when no target is given)")
      ->excludes(q_hosts)
      ->excludes(q_labels)
      ->excludes(q_platform);
  query_cmd->add_option("--timeout", query.timeout,
                        "How long hosts have to answer: 90, 90s, 5m, 1h (default 60s)");
  query_cmd->add_option("--reduce", query.reduce,
                        "SQL over the table `results` (host, host_id, columns...)");
  query_cmd->add_flag("--detach", query.detach, "Start the run, print its id and return");

  // quarry runs / run / results / cancel
  RunsFlags runs;
  auto* runs_cmd = operator_cmd(&app, "runs", "List recent runs, newest first");
  runs_cmd->add_option("--status", runs.status, "running, finished, cancelled or expired")
      ->check(CLI::IsMember({"running", "finished", "cancelled", "expired"}));
  runs_cmd->add_option("--limit", runs.limit, "How many (default 20)")->check(CLI::Range(1, 1000));
  int64_t run_id = 0;
  auto* run_cmd = operator_cmd(&app, "run", "One run: summary and each host's state");
  run_cmd->add_option("ID", run_id, "Run id")->required();
  ResultsFlags results;
  auto* results_cmd = operator_cmd(&app, "results", "Rows of a run");
  results_cmd->add_option("ID", results.id, "Run id")->required();
  results_cmd->add_option("--reduce", results.reduce, "SQL over the table `results`");
  auto* cancel_cmd = operator_cmd(&app, "cancel", "Cancel a run", false);
  cancel_cmd->add_option("ID", run_id, "Run id")->required();

  // quarry hosts [show|revoke]
  HostsFlags hosts;
  std::string host_id;
  auto* hosts_cmd =
      operator_cmd(&app, "hosts", "List enrolled hosts (or: hosts show ID, hosts revoke ID)");
  hosts_cmd->require_subcommand(0, 1);
  hosts_cmd->add_option("--platform", hosts.filter.platform, "Platform family or name");
  hosts_cmd->add_option("--label", hosts.filter.label, "Carrying this label");
  hosts_cmd->add_option("--status", hosts.filter.status, "online or offline")
      ->check(CLI::IsMember({"online", "offline"}));
  hosts_cmd->add_option("--search", hosts.filter.search, "Text in hostname, identifier or uuid");
  auto* host_show = operator_cmd(hosts_cmd, "show", "One host in detail");
  host_show->add_option("ID", host_id, "Host id")->required();
  auto* host_revoke = operator_cmd(hosts_cmd, "revoke", "Revoke a host's node key (admin)", false);
  host_revoke->add_option("ID", host_id, "Host id")->required();

  // quarry labels [create|show|delete|set-hosts]
  auto* labels_cmd =
      operator_cmd(&app, "labels", "List labels (or: labels create|show|delete|set-hosts)");
  labels_cmd->require_subcommand(0, 1);
  LabelCreateFlags label;
  std::string label_name;
  std::vector<std::string> label_hosts;
  auto* label_create = operator_cmd(labels_cmd, "create",
                                    "Create a manual (--hosts) or dynamic (--sql) label", false);
  label_create->add_option("NAME", label.name, "Label name")->required();
  auto* lc_hosts =
      AddList(label_create, "--hosts", label.hosts, "Member hosts: ids, identifiers or hostnames");
  auto* lc_sql = label_create->add_option("--sql", label.sql,
                                          "osquery SQL: hosts returning a row carry the label");
  lc_hosts->excludes(lc_sql);
  label_create
      ->add_option("--refresh", label.refresh,
                   "How often hosts re-run --sql: 300, 5m (server default)")
      ->needs(lc_sql);
  label_create->add_option("--description", label.description, "What the label means");
  auto* label_show = operator_cmd(labels_cmd, "show", "One label and its hosts");
  label_show->add_option("NAME", label_name, "Label name")->required();
  auto* label_delete = operator_cmd(labels_cmd, "delete", "Delete a label", false);
  label_delete->add_option("NAME", label_name, "Label name")->required();
  auto* label_set = operator_cmd(labels_cmd, "set-hosts", "Replace a manual label's hosts", false);
  label_set->add_option("NAME", label_name, "Label name")->required();
  label_set->add_option("HOSTS", label_hosts, "Hosts: a,b (ids, identifiers or hostnames)")
      ->required()
      ->delimiter(',');

  // quarry sql
  SqlFlags sql;
  std::vector<std::string> sql_words;
  auto* sql_cmd = operator_cmd(&app, "sql", "Read-only SQL over the server's stored data");
  sql_cmd->add_option("SQL", sql_words, "SQL over hosts, runs, results, labels, audit, ...")
      ->required();
  sql_cmd
      ->add_option("--max-rows", sql.max_rows,
                   "Cut the answer at this many rows (server default 10000)")
      ->check(CLI::PositiveNumber);

  // quarry tokens [create|revoke]
  auto* tokens_cmd =
      operator_cmd(&app, "tokens", "List operator tokens (admin; or: tokens create|revoke)");
  tokens_cmd->require_subcommand(0, 1);
  std::string token_name, token_role, token_id;
  auto* token_create = operator_cmd(tokens_cmd, "create", "Create a token; it is printed once");
  token_create->add_option("NAME", token_name, "Who or what uses it")->required();
  token_create->add_option("--role", token_role, "viewer, operator or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  auto* token_revoke = operator_cmd(tokens_cmd, "revoke", "Revoke a token", false);
  token_revoke->add_option("ID", token_id, "Token id")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; any usage error exits kExitUsage.
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  if (*serve_cmd) return RunServe(serve, environ);
  if (*sim_cmd) return quarry::sim::RunSim(sim);
  if (*check_cmd) {
    auto errors = quarry::config::CheckConfigFile(check_file);
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (errors.empty()) std::printf("%s: OK\n", check_file.c_str());
    return errors.empty() ? 0 : 1;
  }

  const Console console = Console::Process();
  auto with = [&](const std::function<int(OperatorClient&)>& command) {
    return WithClient(conn, console, command);
  };
  if (*query_cmd) {
    query.sql = JoinWords(query_words);
    query.format = format;
    // Flags first: a usage error needs no server.
    if (int rc = CheckQueryFlags(query, console); rc != kExitOk) return rc;
    return with([&](OperatorClient& c) { return QueryCommand(c, query, console); });
  }
  if (*runs_cmd) {
    runs.format = format;
    return with([&](OperatorClient& c) { return RunsCommand(c, runs, console); });
  }
  if (*run_cmd)
    return with([&](OperatorClient& c) { return RunCommand(c, run_id, format, console); });
  if (*results_cmd) {
    results.format = format;
    return with([&](OperatorClient& c) { return ResultsCommand(c, results, console); });
  }
  if (*cancel_cmd)
    return with([&](OperatorClient& c) { return CancelCommand(c, run_id, console); });
  if (*hosts_cmd) {
    if (*host_show)
      return with([&](OperatorClient& c) { return HostShowCommand(c, host_id, format, console); });
    if (*host_revoke)
      return with([&](OperatorClient& c) { return HostRevokeCommand(c, host_id, console); });
    hosts.format = format;
    return with([&](OperatorClient& c) { return HostsCommand(c, hosts, console); });
  }
  if (*labels_cmd) {
    if (*label_create) {
      if (int rc = CheckLabelCreateFlags(label, console); rc != kExitOk) return rc;
      return with([&](OperatorClient& c) { return LabelCreateCommand(c, label, console); });
    }
    if (*label_show)
      return with(
          [&](OperatorClient& c) { return LabelShowCommand(c, label_name, format, console); });
    if (*label_delete)
      return with([&](OperatorClient& c) { return LabelDeleteCommand(c, label_name, console); });
    if (*label_set) {
      return with([&](OperatorClient& c) {
        return LabelSetHostsCommand(c, label_name, label_hosts, console);
      });
    }
    return with([&](OperatorClient& c) { return LabelsCommand(c, format, console); });
  }
  if (*sql_cmd) {
    sql.sql = JoinWords(sql_words);
    sql.format = format;
    return with([&](OperatorClient& c) { return SqlCommand(c, sql, console); });
  }
  if (*tokens_cmd) {
    if (*token_create) {
      return with([&](OperatorClient& c) {
        return TokenCreateCommand(c, token_name, token_role, format, console);
      });
    }
    if (*token_revoke)
      return with([&](OperatorClient& c) { return TokenRevokeCommand(c, token_id, console); });
    return with([&](OperatorClient& c) { return TokensCommand(c, format, console); });
  }
  return 0;
}
