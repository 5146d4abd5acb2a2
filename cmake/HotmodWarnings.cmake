# Warnings every hotmod target compiles with. CI turns them into errors through
# CMAKE_COMPILE_WARNING_AS_ERROR (set by the presets).
add_library(hotmod_warnings INTERFACE)
target_compile_options(hotmod_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference)
