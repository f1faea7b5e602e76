//! The sandbox a script runs in: Valkey's globals, the `redis`/`server` API table, and read-only tables.
//!
//! Valkey's Lua has a patched VM in which tables can be made read-only ("Attempt to modify a readonly
//! table"); its globals and every library table are. PUC Lua 5.1 has no such flag, so here each of
//! those tables is replaced by an empty proxy whose metatable reads through to the real table and
//! refuses writes. The builtins that would bypass a metatable (`rawset`, `setmetatable`,
//! `table.insert` ...) refuse proxies too, and the ones that read raw (`next`, `pairs`, `rawget`,
//! `unpack` ...) read through them, so scripts observe Valkey's behaviour.
//!
//! The setup is Lua code (the prelude below) run once per Lua state; the Rust functions it wires in
//! arrive in a table. Internal chunks are named [`INTERNAL_CHUNK`] so error positions skip them.

/// Chunk name of our own Lua code: error positions and the error handler skip its frames.
pub(crate) const INTERNAL_CHUNK: &str = "=[ferrokey]";

/// Builtins that read a table raw, rewrapped to read a proxy's real table: (where it lives, the local
/// name, which is also the name errors from it report).
const READS_THROUGH: &[(&str, &str)] = &[
    ("G.rawget", "rawget"),
    ("G.next", "next"),
    ("G.pairs", "pairs"),
    ("G.ipairs", "ipairs"),
    ("G.unpack", "unpack"),
    ("G.table.concat", "concat"),
    ("G.table.maxn", "maxn"),
    ("G.table.getn", "getn"),
    ("G.table.foreach", "foreach"),
    ("G.table.foreachi", "foreachi"),
];

/// Builtins that write a table raw, rewrapped to refuse read-only tables.
const WRITES_REFUSED: &[(&str, &str)] = &[
    ("G.rawset", "rawset"),
    ("G.setmetatable", "setmetatable"),
    ("G.table.insert", "insert"),
    ("G.table.remove", "remove"),
    ("G.table.sort", "sort"),
    ("G.table.setn", "setn"),
];

/// The prelude: receives the private table `P` (whose `globals` it sets to the globals proxy), the
/// Rust functions `F`, the real globals `G` and whether the state runs function libraries; returns the
/// handles Rust keeps.
pub(crate) fn prelude() -> String {
    let mut s = String::from(HEAD);
    for (target, name) in READS_THROUGH {
        let original = target.trim_start_matches("G.");
        s.push_str(&format!(
            "do local {name} = {original}\n\
             {target} = function(...)\n\
               if select('#', ...) == 0 then return {name}() end\n\
               return {name}(see((...)), select(2, ...))\n\
             end end\n"
        ));
    }
    for (target, name) in WRITES_REFUSED {
        let original = target.trim_start_matches("G.");
        s.push_str(&format!(
            "do local {name} = {original}\n\
             {target} = function(...)\n\
               if locked[(...)] then error(READONLY, 0) end\n\
               return {name}(...)\n\
             end end\n"
        ));
    }
    s.push_str(TAIL);
    s
}

const HEAD: &str = r#"
local P, F, G, for_functions = ...
local select, type, error, tostring, next = select, type, error, tostring, next
local setmetatable, getmetatable, rawset, pairs = setmetatable, getmetatable, rawset, pairs
local pcall, xpcall, getfenv, setfenv = pcall, xpcall, getfenv, setfenv
local loadstring, load = loadstring, load
local errvalue = F.errvalue

local READONLY = 'Attempt to modify a readonly table'
-- proxy -> the table it stands for; any read-only table -> true; proxy -> what getmetatable shows
local real_of = setmetatable({}, {__mode = 'k'})
local locked = setmetatable({}, {__mode = 'k'})
local view_of = setmetatable({}, {__mode = 'k'})

local function see(t)
  return real_of[t] or t
end

local function protect(real, view)
  local proxy = {}
  setmetatable(proxy, {__index = real, __newindex = F.readonly})
  real_of[proxy] = real
  locked[proxy] = true
  view_of[proxy] = view
  return proxy
end

-- Valkey's pcall returns the text of an error table rather than the table.
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = errvalue((...))
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then e = m end
  end
  return false, e
end
G.pcall = function(...) return pcall_result(pcall(...)) end

G.xpcall = function(f, handler, ...)
  if type(handler) ~= 'function' then return xpcall(f, handler, ...) end
  return xpcall(f, function(e) return handler(errvalue(e)) end)
end

do
  local resume = coroutine.resume
  local function resume_result(ok, ...)
    if ok then return ok, ... end
    return false, errvalue((...))
  end
  G.coroutine.resume = function(...) return resume_result(resume(...)) end
end

-- Valkey's Lua never loads precompiled chunks: it parses them as text, and fails.
local function chunkid(name)
  name = tostring(name):match('^[^%z]*')
  local first = name:sub(1, 1)
  if first == '=' then return name:sub(2, 80) end
  if first == '@' then
    name = name:sub(2)
    if #name > 63 then return '...' .. name:sub(-60) end
    return name
  end
  local line = name:match('^[^\r\n]*')
  if #line > 63 then line = line:sub(1, 63) end
  if #line < #name then return '[string "' .. line .. '..."]' end
  return '[string "' .. line .. '"]'
end
local function binary_chunk_error(name)
  return chunkid(name) .. ":1: unexpected symbol near 'char(27)'"
end
G.loadstring = function(...)
  local s, name = ...
  if type(s) == 'string' and s:byte(1) == 27 then
    if name == nil then name = s end
    return nil, binary_chunk_error(name)
  end
  return loadstring(...)
end
G.load = function(...)
  local reader, name = ...
  if type(reader) ~= 'function' then return load(...) end
  local first = true
  local function checked()
    local piece = reader()
    if first and type(piece) == 'string' and piece ~= '' then
      first = false
      if piece:byte(1) == 27 then error(binary_chunk_error(name or '=(load)'), 0) end
    end
    return piece
  end
  return load(checked, name)
end

G.getfenv = function(...)
  local f = ...
  local e
  if select('#', ...) == 0 then
    e = getfenv(2)
  else
    if type(f) == 'number' and f > 0 then f = f + 1 end
    e = getfenv(f)
  end
  if e == G then return P.globals end
  return e
end
G.setfenv = function(f, ...)
  if type(f) == 'number' and f > 0 then f = f + 1 end
  return setfenv(f, ...)
end
G.getmetatable = function(...)
  local t = ...
  if locked[t] then return view_of[t] end
  return getmetatable(...)
end

G.math.random = F.random
G.math.randomseed = F.randomseed
G.os = {clock = F.clock or G.os.clock}
G.print, G.dofile, G.loadfile = nil, nil, nil
G.cjson, G.cmsgpack, G.bit, G.struct = F.cjson, F.cmsgpack, F.bit, F.struct
"#;

const TAIL: &str = r#"
local function api(t)
  t.call, t.pcall, t.log = F.call, F.pcall, F.log
  t.LOG_DEBUG, t.LOG_VERBOSE, t.LOG_NOTICE, t.LOG_WARNING = 0, 1, 2, 3
  for k, v in pairs(F.versions) do t[k] = v end
  return t
end

local server = api({})
server.setresp, server.set_repl, server.acl_check_cmd = F.setresp, F.set_repl, F.acl_check_cmd
server.sha1hex = F.sha1hex
server.error_reply = F.error_reply
server.status_reply = F.status_reply
server.REPL_NONE, server.REPL_AOF, server.REPL_SLAVE, server.REPL_REPLICA, server.REPL_ALL = 0, 1, 2, 2, 3
if not for_functions then
  server.breakpoint = F.breakpoint
  server.debug = F.debug
  server.replicate_commands = F.replicate_commands
  G.__redis__err__handler = F.err_handler
end
G.server = server
G.redis = server

-- Nonexistent globals are an error, through a metatable that is itself read-only.
local missing = {__index = F.missing_global}
setmetatable(G, missing)

-- Every table reachable from the globals becomes read-only (Valkey protects them recursively; the
-- library tables hold no tables of their own).
local proxies = {}
for k, v in pairs(G) do
  if type(v) == 'table' and v ~= G then
    proxies[v] = proxies[v] or protect(v)
    rawset(G, k, proxies[v])
  end
end
local PG = protect(G, protect({__index = F.missing_global}))
rawset(G, '_G', PG)
P.globals = PG
getmetatable('').__index = G.string

local R = {globals = PG, handler = F.err_handler, next = next}

if for_functions then
  -- What a library's code sees while FUNCTION LOAD runs it: only register_function, log and the
  -- versions, under `redis` and `server`.
  local libapi = {}
  libapi.register_function, libapi.log = F.register_function, F.log
  libapi.LOG_DEBUG, libapi.LOG_VERBOSE, libapi.LOG_NOTICE, libapi.LOG_WARNING = 0, 1, 2, 3
  for k, v in pairs(F.versions) do libapi[k] = v end
  setmetatable(libapi, missing)
  libapi = protect(libapi)
  local lib = setmetatable({redis = libapi, server = libapi}, missing)
  R.library_api = protect(lib)
  -- The globals functions run with: an empty read-only table whose metatable points at the real
  -- globals, or at the library API during a load.
  local meta = {__index = PG, __newindex = F.readonly}
  local scope = setmetatable({}, meta)
  locked[scope] = true
  view_of[scope] = protect({__index = PG})
  R.scope, R.scope_meta = scope, meta
end

local handler = F.err_handler
R.run_eval = function(f) return xpcall(f, handler) end
R.run_function = function(f, keys, args)
  return xpcall(function() return f(keys, args) end, handler)
end
R.run_load = function(f)
  local ok, e = pcall(f)
  if ok then return true end
  return false, errvalue(e)
end
return R
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelude_wraps_every_listed_builtin() {
        let p = prelude();
        for (target, _) in READS_THROUGH.iter().chain(WRITES_REFUSED) {
            assert!(p.contains(&format!("{target} = function")), "{target}");
        }
    }
}
