// Snapshots of hotmod.state, so that a reload that fails changes nothing.
//
// A snapshot records every table reachable from the state table (through
// keys, values and metatables; each table once, however many paths lead to
// it) with a shallow copy of its contents and its metatable. Restoring
// empties each recorded table and refills it from its copy: the tables keep
// their identities, so an old version's closures that captured one (a local
// `items = hotmod.state.items`) see exactly the contents they saw before.
// Tables created after the snapshot are dropped from the state with the keys
// that held them. Functions' upvalues and userdata are not followed.
#pragma once

struct lua_State;

namespace hotmod::script {

// Pushes a snapshot of what is reachable from the table at `index` (a
// table, for the registry to hold). Raises on memory errors: call inside
// protect().
void push_state_snapshot(lua_State* L, int index);

// Restores the tables recorded in the snapshot at `index`. Raises on memory
// errors: call inside protect().
void restore_state_snapshot(lua_State* L, int index);

}  // namespace hotmod::script
