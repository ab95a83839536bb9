// Reads a tool's `policies:` block (tools/*.yaml) and the project defaults
// (`defaults: tool_policies:` in keel.yaml) into ToolPolicies, reporting bad
// values at their position. Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_POLICIES_READER_H_
#define KEEL_PROJECT_INTERNAL_POLICIES_READER_H_

#include "project/internal/field_reader.h"
#include "tools/tool_policies.h"

namespace keel::project_internal {

// A tool's `policies:` map, read over `*policies` (the project defaults):
// fields it names replace the default, the rest keep it.
void ReadToolPolicies(const FieldReader& tool, const Field& field, ToolPolicies* policies);

// keel.yaml's `defaults: tool_policies:` map: the settings every tool starts
// from (no agents or fallback: those are per tool), plus the workspace's rate
// limit shared by all tools.
void ReadToolPolicyDefaults(const FieldReader& defaults, const Field& field, ToolPolicies* policies,
                            RateLimit* workspace);

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_POLICIES_READER_H_
