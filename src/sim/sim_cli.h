// Declares the `quarry sim` options on a CLI11 subcommand, writing into a SimFlags (see
// sim_command.h for what they mean). The only sim/ file that sees CLI11; main.cpp creates
// the subcommand and calls RunSim(flags) when it was chosen:
//
//   SimFlags sim;
//   auto* sim_cmd = app.add_subcommand("sim", "Run simulated osqueryd hosts against a server");
//   AddSimOptions(sim_cmd, sim);
//   ...
//   if (*sim_cmd) return RunSim(sim);
//
// `flags` must outlive parsing (CLI11 writes into it).
#pragma once

#include "sim/sim_command.h"

namespace CLI {
class App;
}

namespace quarry::sim {

void AddSimOptions(CLI::App* app, SimFlags& flags);

}  // namespace quarry::sim
