// The environment a script module's chunk runs in: a fresh table per run.
//
//   base       assert error getmetatable ipairs next pairs pcall rawequal
//              rawget rawlen rawset select setmetatable tonumber tostring
//              type xpcall collectgarbage _VERSION _G, and
//              print (host log at info, arguments joined by tabs),
//              warn (host log at warn),
//              load (text chunks only; the sandbox is the default env)
//   libraries  string table math utf8 coroutine (copies: a module that
//              changes them changes only its own)
//   io, os     copies when granted "lua:io" / "lua:os"; else tables whose
//              every field raises "module 'NAME' needs capability 'lua:io'
//              to use io.open; grant it in hotmod.json: ...". io.popen and
//              os.execute, which run commands, raise unless "lua:exec" is
//              granted too; os.exit, which would end the host, always raises
//   hotmod     state, import, log, has_capability, config, name
//
// Never dofile, loadfile, debug, package or require.
#pragma once

#include <string_view>

#include "script/script_module.hpp"

struct lua_State;

namespace hotmod::script {

struct SandboxSpec {
  const ScriptHost* host = nullptr;  // outlives the lua_State
  std::string_view module;           // its name
  int state_ref = 0;                 // hotmod.state, in the registry
  bool io = false;                   // granted "lua:io"
  bool os = false;                   // granted "lua:os"
  bool exec = false;                 // granted "lua:exec": io.popen, os.execute
};

// Opens the libraries environments are built from, into the state's own
// globals (which no script sees). Once per lua_State, inside protect().
void open_sandbox_libraries(lua_State* L);

// Pushes a new environment table. Raises on memory errors: call it inside
// protect().
void push_sandbox_env(lua_State* L, const SandboxSpec& spec);

}  // namespace hotmod::script
