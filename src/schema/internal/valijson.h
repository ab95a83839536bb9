// The one way this module includes valijson, so that every unit sees it
// configured the same (one definition of its inline functions). Private to
// the schema module; never include it from a public header.
//
// Thread-safety: see json_schema.h for what holds for compiled schemas.
#ifndef KEEL_SCHEMA_INTERNAL_VALIJSON_H_
#define KEEL_SCHEMA_INTERNAL_VALIJSON_H_

// valijson reports malformed schemas by throwing only when this is set;
// otherwise it prints and aborts the process.
#define VALIJSON_USE_EXCEPTIONS 1

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>

#endif  // KEEL_SCHEMA_INTERNAL_VALIJSON_H_
