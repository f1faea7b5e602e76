/* The runtime that LLVM 16's wasm setjmp/longjmp lowering (`-mllvm -wasm-enable-sjlj`) calls.
 *
 * How the lowering works: a function that calls setjmp mallocs a small table of
 * (setjmp id, label) pairs; each setjmp call registers a fresh id in the buffer and in that
 * table (saveSetjmp). longjmp becomes __wasm_longjmp, which throws a wasm exception tagged
 * __c_longjmp carrying {buffer, value}. Every such function catches that tag around its calls,
 * asks testSetjmp whether the buffer's id is one of its own, and if so resumes at that
 * setjmp's label returning the value; otherwise it rethrows. The table's new size travels
 * back through the getTempRet0/setTempRet0 pair.
 *
 * The bookkeeping follows the algorithm emscripten uses for the same ABI. This file is
 * compiled into liblua5.1.a for wasm32 only. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* The lowered catch code reads the payload as {void *env; int value} at offsets 0 and 4. */
_Static_assert(offsetof(struct ferrokey_jmp_buf, thrown_value) ==
                   offsetof(struct ferrokey_jmp_buf, thrown_env) + sizeof(void *),
               "the thrown payload must be {env, value} back to back");

struct setjmp_table_entry {
    uintptr_t id;   /* 0 ends the table */
    uint32_t label; /* which setjmp call site inside the function */
};

/* Lua runs on one thread: wasm32-unknown-unknown has none. */
static uintptr_t last_setjmp_id = 0;
static uint32_t temp_ret0 = 0;

uint32_t getTempRet0(void) { return temp_ret0; }

void setTempRet0(uint32_t value) { temp_ret0 = value; }

/* Called at every setjmp: records a fresh id in `env` and in the caller's table, growing the
 * table when it is full. Returns the table (maybe moved); its capacity via setTempRet0. */
struct setjmp_table_entry *saveSetjmp(struct ferrokey_jmp_buf *env, uint32_t label,
                                      struct setjmp_table_entry *table, uint32_t size) {
    last_setjmp_id++;
    env->id = last_setjmp_id;
    for (uint32_t i = 0; i < size; i++) {
        if (table[i].id == 0) {
            table[i].id = last_setjmp_id;
            table[i].label = label;
            /* The table holds size + 1 entries, so the terminator always fits. */
            table[i + 1].id = 0;
            setTempRet0(size);
            return table;
        }
    }
    size *= 2;
    table = realloc(table, sizeof(struct setjmp_table_entry) * (size + 1));
    if (table == NULL) {
        abort();
    }
    return saveSetjmp(env, label, table, size);
}

/* Called when a __c_longjmp exception is caught: the label of the setjmp with this id if it
 * belongs to the catching function, else 0 (the function rethrows). */
uint32_t testSetjmp(uintptr_t id, struct setjmp_table_entry *table, uint32_t size) {
    for (uint32_t i = 0; i < size && table[i].id != 0; i++) {
        if (table[i].id == id) {
            return table[i].label;
        }
    }
    return 0;
}

/* longjmp: throws the __c_longjmp tag (index 1 for __builtin_wasm_throw). The payload lives in
 * the jmp_buf itself, so it stays valid while the exception unwinds. */
void __wasm_longjmp(struct ferrokey_jmp_buf *env, int value) {
    env->thrown_env = env;
    /* As in C: longjmp(env, 0) makes setjmp return 1. */
    env->thrown_value = value == 0 ? 1 : value;
    __builtin_wasm_throw(1, &env->thrown_env);
}
