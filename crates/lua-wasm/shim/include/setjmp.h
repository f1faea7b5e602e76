/* setjmp.h for Lua 5.1 on wasm32-unknown-unknown (crates/lua-wasm).
 *
 * wasi-libc (Debian's 2022 snapshot) ships no setjmp.h. Lua is compiled with
 * `-mllvm -wasm-enable-sjlj`, so LLVM rewrites every setjmp/longjmp call into calls to
 * saveSetjmp/testSetjmp/__wasm_longjmp (sjlj_runtime.c) and a wasm exception throw/catch:
 * these declarations are never called as such, they only give the compiler the names and
 * a jmp_buf big enough for the runtime's bookkeeping. */
#ifndef FERROKEY_LUA_WASM_SETJMP_H
#define FERROKEY_LUA_WASM_SETJMP_H

/* The layout sjlj_runtime.c reads and writes. The lowered code itself only reads `id`
 * (the first word) and, through the thrown payload, `thrown_env` and `thrown_value`. */
struct ferrokey_jmp_buf {
    unsigned long id;   /* which setjmp call filled this buffer (0 = never) */
    void *thrown_env;   /* payload of the wasm exception: the buffer being jumped to... */
    int thrown_value;   /* ...and the value setjmp returns there */
};

typedef struct ferrokey_jmp_buf jmp_buf[1];

int setjmp(jmp_buf env);
void longjmp(jmp_buf env, int value) __attribute__((__noreturn__));

#endif
