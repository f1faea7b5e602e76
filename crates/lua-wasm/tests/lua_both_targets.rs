//! The same mlua code against PUC-Rio Lua 5.1.5 natively (mlua's vendored build) and in
//! wasm32-unknown-unknown (this crate's build, run in Node by wasm-bindgen-test-runner):
//!   cargo test -p ferrokey-lua-wasm
//!   cargo test -p ferrokey-lua-wasm --target wasm32-unknown-unknown

// Links Lua 5.1 into the wasm32 test binary (mlua-sys there leaves linking to this crate).
#[cfg(target_arch = "wasm32")]
use ferrokey_lua_wasm as _;
// One `#[test]` for both targets: in wasm it is wasm-bindgen-test's, run in Node.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mlua::{Function, Lua, Table, Value};

#[test]
fn arithmetic_in_lua_gives_lua51_numbers() {
    let lua = Lua::new();
    let (sum, quotient, power, modulo): (i64, f64, f64, f64) =
        lua.load("return 1 + 2 * 3, 7 / 2, 2 ^ 10, -7 % 3").eval().unwrap();
    assert_eq!((sum, quotient, power, modulo), (7, 3.5, 1024.0, 2.0));
    let text: String = lua.load("return tostring(1e15) .. ' ' .. tostring(0.1) .. ' ' .. 10 / 0").eval().unwrap();
    assert_eq!(text, "1e+15 0.1 inf");
}

#[test]
fn string_format_d_above_2_pow_31_is_64_bit() {
    let lua = Lua::new();
    let formatted: String = lua.load("return string.format('%d %d %x', 2^31, -2^53, 2^40)").eval().unwrap();
    assert_eq!(formatted, "2147483648 -9007199254740992 10000000000");
}

#[test]
fn pcall_catches_an_error_raised_by_a_rust_callback() {
    let lua = Lua::new();
    let fail = lua
        .create_function(|_, reason: String| -> mlua::Result<()> {
            Err(mlua::Error::runtime(format!("refused: {reason}")))
        })
        .unwrap();
    lua.globals().set("fail", fail).unwrap();
    let (ok, message): (bool, String) =
        lua.load("local ok, err = pcall(fail, 'no'); return ok, tostring(err)").eval().unwrap();
    assert!(!ok);
    assert!(message.contains("refused: no"), "{message}");

    // Unprotected, the error travels through Lua back to Rust.
    let err = lua.load("fail('again')").exec().unwrap_err();
    assert!(err.to_string().contains("refused: again"), "{err}");
}

#[test]
fn lua_errors_unwind_through_nested_pcalls_and_coroutines() {
    let lua = Lua::new();
    let script = r#"
        local caught = 0
        for i = 1, 2000 do
            local ok, err = pcall(function()
                local ok2, inner = pcall(error, {code = i})
                error(inner.code + 1, 0)
            end)
            if not ok and err == i + 1 then caught = caught + 1 end
        end
        local co = coroutine.wrap(function(a)
            local b = coroutine.yield(a * 2)
            error('in coroutine ' .. b, 0)
        end)
        local first = co(21)
        local ok, err = pcall(co, 'x')
        return caught, first, ok, err
    "#;
    let (caught, first, ok, err): (i64, i64, bool, String) = lua.load(script).eval().unwrap();
    assert_eq!((caught, first, ok, err.as_str()), (2000, 42, false, "in coroutine x"));
}

#[test]
fn table_round_trips_between_rust_and_lua() {
    let lua = Lua::new();
    let input = lua.create_table().unwrap();
    input.set("name", "ferrokey").unwrap();
    input.set("list", lua.create_sequence_from([10, 20, 30]).unwrap()).unwrap();
    input.set(1, lua.create_string(b"\x00binary\xff").unwrap()).unwrap();

    let transform: Function = lua
        .load(
            r#"
            return function(t)
                local out = {name = t.name:upper(), count = #t.list, raw = t[1]}
                table.insert(t.list, 40)
                out.list = t.list
                out.sum = 0
                for _, v in ipairs(t.list) do out.sum = out.sum + v end
                return out
            end
        "#,
        )
        .eval()
        .unwrap();
    let output: Table = transform.call(input).unwrap();

    assert_eq!(output.get::<String>("name").unwrap(), "FERROKEY");
    assert_eq!(output.get::<i64>("count").unwrap(), 3);
    assert_eq!(output.get::<i64>("sum").unwrap(), 100);
    let raw: mlua::LuaString = output.get("raw").unwrap();
    assert_eq!(raw.as_bytes().as_ref(), b"\x00binary\xff");
    let list: Vec<i64> = output.get::<Table>("list").unwrap().sequence_values().collect::<mlua::Result<_>>().unwrap();
    assert_eq!(list, [10, 20, 30, 40]);
    assert!(matches!(output.get::<Value>("missing").unwrap(), Value::Nil));
}

#[test]
fn lua_version_is_puc_rio_5_1() {
    let lua = Lua::new();
    let version: String = lua.globals().get("_VERSION").unwrap();
    assert_eq!(version, "Lua 5.1");
}

/// wasm-bindgen only accepts, and a browser can only instantiate, a module whose imports all
/// come from wasm-bindgen's JS glue: nothing from WASI, and no unresolved C (`env`) symbol.
#[cfg(target_arch = "wasm32")]
#[test]
fn wasm_module_imports_nothing_from_wasi_or_env() {
    use wasm_bindgen::JsCast;
    let module: js_sys::WebAssembly::Module = wasm_bindgen::module().unchecked_into();
    let imports = js_sys::WebAssembly::Module::imports(&module);
    let mut foreign = Vec::new();
    for import in imports.iter() {
        let module_name = js_sys::Reflect::get(&import, &"module".into()).unwrap().as_string().unwrap();
        let name = js_sys::Reflect::get(&import, &"name".into()).unwrap().as_string().unwrap();
        if module_name.starts_with("wasi") || module_name == "env" {
            foreign.push(format!("{module_name}.{name}"));
        }
    }
    assert!(foreign.is_empty(), "unexpected imports: {foreign:?}");
}
