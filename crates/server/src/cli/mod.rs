//! ferrokey-cli: a `valkey-cli` for everyday use, with its options, output formats and exit statuses.
//!
//! # Layout
//! - [`options`], [`uri`]: the command line and `-u` URIs.
//! - [`conn`]: one blocking TCP connection that sends commands and reads replies.
//! - [`session`]: connecting (AUTH, SELECT, HELLO 3), running a command, following its effects
//!   (database, MULTI, subscribed mode, MONITOR) and printing its replies.
//! - [`format`]: replies as valkey-cli prints them (human, raw, CSV, JSON).
//! - [`repl`], [`history`], [`tty`], [`interrupt`]: the interactive side.
//! - [`help`]: `--help`, `--version` and the interactive `help`.
//!
//! Output goes to stdout as bytes, flushed per reply, so piping and `grep` see each reply at once.

pub mod conn;
pub mod format;
pub mod help;
pub mod history;
pub mod interrupt;
pub mod options;
pub mod repl;
pub mod session;
pub mod tty;
pub mod uri;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read};

use ferrokey_core::resp::split_args;

use options::{parse_options, Options, Parsed};
use session::{emit, Session};

/// Runs the CLI on `args` (without the program name); returns the exit status.
pub fn run(args: &[OsString]) -> i32 {
    let stdout_is_tty = io::stdout().is_terminal() || std::env::var_os("FAKETTY").is_some();
    let (mut options, command) = match parse_options(args, stdout_is_tty) {
        Parsed::Help => {
            emit(help::usage().as_bytes());
            return 0;
        }
        Parsed::Version => {
            emit(help::version_line().as_bytes());
            return 0;
        }
        Parsed::Fail(message) => {
            eprintln!("{message}");
            return 1;
        }
        Parsed::Run { options, command, warnings } => {
            for warning in warnings {
                eprintln!("{warning}");
            }
            (*options, command)
        }
    };
    // The environment's password never warns: it is the safe way to pass one.
    if options.conn.auth.is_none() {
        if let Some(password) = std::env::var_os("REDISCLI_AUTH") {
            use std::os::unix::ffi::OsStrExt;
            options.conn.auth = Some(password.as_bytes().to_vec());
        }
    }
    if command.is_empty() {
        interactive(options)
    } else {
        one_shot(options, command)
    }
}

fn interactive(options: Options) -> i32 {
    interrupt::install();
    let mut session = Session::new(options, true);
    // A failed connection is reported, and every command tries again.
    session.connect(false, false);
    repl::run(&mut session)
}

fn one_shot(options: Options, command: Vec<Vec<u8>>) -> i32 {
    let mut argv = command;
    if options.quoted_input {
        let mut unquoted = Vec::with_capacity(argv.len());
        for arg in &argv {
            match split_args(arg) {
                Some(mut parts) if parts.len() == 1 => unquoted.push(parts.remove(0)),
                _ => {
                    emit(b"Invalid quoted string\n");
                    return 1;
                }
            }
        }
        argv = unquoted;
    }

    let mut session = Session::new(options, false);
    // Tried quietly first; the command's own attempt below reports the failure.
    session.connect(false, true);

    if session.opts.stdin_last_arg {
        argv.push(read_stdin());
    } else if let Some(tag) = session.opts.stdin_tag.clone() {
        match argv.iter().position(|a| *a == tag) {
            Some(i) => argv[i] = read_stdin(),
            None => {
                eprintln!("Using -X option but stdin tag not match.");
                return 1;
            }
        }
    }

    let repeat = session.opts.repeat;
    let ran = session.issue_command(&argv, repeat);
    session.follow_messages();
    if ran {
        0
    } else {
        1
    }
}

fn read_stdin() -> Vec<u8> {
    let mut data = Vec::new();
    if let Err(e) = io::stdin().read_to_end(&mut data) {
        eprintln!("Reading from standard input: {}", conn::os_error_text(&e));
        std::process::exit(1);
    }
    data
}
