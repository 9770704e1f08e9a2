// `quarry serve`: builds the server's object graph by hand (config → data dir →
// store → fleet → routes → listeners) and runs until SIGINT/SIGTERM.
#pragma once

#include <string>

namespace quarry::cli {

struct ServeFlags {
  std::string config_file;
  std::string data_dir;      // overrides the config when set
  std::string agent_listen;  // overrides the config when set
  std::string admin_listen;
  std::string log_level;
};

// Returns the process exit code.
int RunServe(const ServeFlags& flags, char** env);

}  // namespace quarry::cli
