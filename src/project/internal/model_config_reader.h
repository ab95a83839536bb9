// keel.yaml's model settings (`providers:`, `prices:`, `model_breaker:`) ->
// ModelSettings. Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_MODEL_CONFIG_READER_H_
#define KEEL_PROJECT_INTERNAL_MODEL_CONFIG_READER_H_

#include "project/internal/field_reader.h"
#include "project/model_config.h"

namespace keel::project_internal {

// Each reports problems at their place in keel.yaml and keeps the defaults
// of what it cannot read.
void ReadProviders(const FieldReader& top, const Field& field, ModelSettings* settings);
void ReadPrices(const FieldReader& top, const Field& field, ModelSettings* settings);
void ReadModelBreaker(const FieldReader& top, const Field& field, ModelSettings* settings);

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_MODEL_CONFIG_READER_H_
