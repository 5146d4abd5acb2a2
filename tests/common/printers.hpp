// printers.hpp — lets GoogleTest print hotmod's enums by name in failures
// ("migration_failed" rather than "4-byte object <0B-00 00-00>").
#pragma once

#include <ostream>

#include <hotmod/error.hpp>

namespace hotmod {

inline void PrintTo(Failure failure, std::ostream* os) {
  *os << to_string(failure);
}
inline void PrintTo(Stage stage, std::ostream* os) {
  *os << to_string(stage);
}
inline void PrintTo(ModuleKind kind, std::ostream* os) {
  *os << to_string(kind);
}

}  // namespace hotmod
