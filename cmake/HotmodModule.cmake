# hotmod_add_module(<target> [NAME <dotted.name>] [OUTPUT_DIR <dir>] SOURCES <src>...)
#
# Builds a hotmod library module: a MODULE shared object named after the
# module (`a.b` -> `<OUTPUT_DIR>/a/b.so`), compiled with hidden visibility so
# that no symbol of the module's own but hotmod's descriptor is exported.
# With g++, -fno-gnu-unique too: the standard library's inline statics (e.g.
# the digit table behind std::to_string) keep default visibility and would
# otherwise become STB_GNU_UNIQUE symbols, which glibc never unloads.
function(hotmod_add_module target)
  cmake_parse_arguments(ARG "" "NAME;OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_NAME)
    set(ARG_NAME ${target})
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/modules")
  endif()
  string(REPLACE "." "/" rel "${ARG_NAME}")
  get_filename_component(sub "${rel}" DIRECTORY)
  get_filename_component(base "${rel}" NAME)

  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE hotmod::module)
  target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-fno-gnu-unique>)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${base}"
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}/${sub}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
