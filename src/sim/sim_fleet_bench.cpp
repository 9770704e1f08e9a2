// `quarry sim` as a standalone program, for measuring the simulator without the server
// binary: the same flags (AddSimOptions), the same RunSim. Prints the fleet's statistics,
// its RSS and CPU time at the end.
#include <CLI/CLI.hpp>

#include "sim/sim_cli.h"

int main(int argc, char** argv) {
  CLI::App app{"Simulated osqueryd fleet (quarry sim, standalone)"};
  quarry::sim::SimFlags flags;
  quarry::sim::AddSimOptions(&app, flags);
  CLI11_PARSE(app, argc, argv);
  return quarry::sim::RunSim(flags);
}
