#include "models/model.h"

namespace keel {

void Model::Turn(const TurnRequest& request, TurnCallback done) {
  (void)request;
  done(Status(StatusCode::kFailedPrecondition, "model '" + name() + "' cannot run tool-calling turns",
              "unsupported"));
}

}  // namespace keel
