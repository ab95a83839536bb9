// Loading and validating a keel project folder (see definitions.h).
// Thread-compatible: call from one thread; the resulting Project is immutable.
#ifndef KEEL_PROJECT_PROJECT_LOADER_H_
#define KEEL_PROJECT_PROJECT_LOADER_H_

#include <string>
#include <vector>

#include "core/source_location.h"
#include "core/status.h"
#include "project/definitions.h"

namespace keel {

struct Diagnostic {
  SourceLocation location;
  std::string message;
  // "file:line:col: message"
  std::string ToString() const { return location.ToString() + ": " + message; }
};

struct LoadOptions {
  // Tool names that have a built-in implementation; a tools/*.yaml of kind
  // builtin naming anything else is an error. Empty = do not check.
  std::vector<std::string> builtin_tools;
};

// Loads and fully validates the project at `dir`. Returns every problem found
// (not just the first) in `diagnostics`; the Result is an error (kInvalidArgument
// whose message is the diagnostics joined by newlines) when there are any.
Result<Project> LoadProject(const std::string& dir, const LoadOptions& options,
                            std::vector<Diagnostic>* diagnostics);

}  // namespace keel

#endif  // KEEL_PROJECT_PROJECT_LOADER_H_
