// The stage table the driver runs: which function a stage is and which stage follows it. The
// driver (pipeline.cc) and the stage tests (tests/unit/worker/pipeline) share it, so a stage
// added here is run by both.
#pragma once

#include "worker/handlers/local_call.h"  // Outcome
#include "worker/pipeline/exchange.h"

namespace llmproxy::worker::pipeline {

// The stage after `s` (Done after Respond and Done).
Stage nextStage(Stage s);

// Runs the stage the exchange is in (ex.stage) once and returns its outcome. A stage that has
// no function (Respond, Done) answers 500: the driver never gets there with a live exchange.
Outcome runStage(Exchange& ex);

}  // namespace llmproxy::worker::pipeline
