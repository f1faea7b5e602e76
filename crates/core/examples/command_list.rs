//! Prints the supported-commands section of the README from the command table:
//! `cargo run -q -p ferrokey-core --example command_list`. A test (tests/readme.rs) checks the README
//! holds exactly this text, so the list can't drift from the code.

fn main() {
    print!("{}", ferrokey_core::command::markdown_command_list());
}
