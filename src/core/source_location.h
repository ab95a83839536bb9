// Where a definition came from in a project file, for `file:line:col` errors.
#ifndef KEEL_CORE_SOURCE_LOCATION_H_
#define KEEL_CORE_SOURCE_LOCATION_H_

#include <string>

namespace keel {

struct SourceLocation {
  std::string file;  // relative to the project folder
  int line = 0;      // 1-based; 0 when unknown
  int col = 0;       // 1-based; 0 when unknown

  // "file:line:col" (or fewer parts when unknown).
  std::string ToString() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    if (col > 0) s += ":" + std::to_string(col);
    return s;
  }
};

}  // namespace keel

#endif  // KEEL_CORE_SOURCE_LOCATION_H_
