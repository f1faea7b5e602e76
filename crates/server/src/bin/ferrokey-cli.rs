//! `ferrokey-cli [options] [command [arg ...]]`: a `valkey-cli` for everyday use (see `ferrokey_server::cli`).

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    std::process::exit(ferrokey_server::cli::run(&args));
}
