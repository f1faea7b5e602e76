//! The command line: valkey-cli's options, read in its order and with its messages. The first argument
//! that is not an option starts the command to run.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use super::format::{Delimiters, OutputMode};
use super::uri::{apply_uri, atoi, ConnInfo};

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub conn: ConnInfo,
    /// `-t`: none means the system's own limit.
    pub connect_timeout: Option<Duration>,
    /// `-r`: negative repeats forever.
    pub repeat: i64,
    /// `-i`
    pub interval: Duration,
    /// `-x`
    pub stdin_last_arg: bool,
    /// `-X tag`
    pub stdin_tag: Option<Vec<u8>>,
    pub output: OutputMode,
    pub delims: Delimiters,
    /// `-2`
    pub resp2: bool,
    /// `-3`, or RESP3 asked for by `--json` (which then tolerates a server without HELLO).
    pub resp3: Resp3,
    /// `-e`: a failing command makes the exit status 1.
    pub set_errcode: bool,
    pub no_auth_warning: bool,
    pub quoted_input: bool,
    /// Print RESP3 pushes that arrive outside pub/sub (default: when stdout is a terminal).
    pub push_output: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resp3 {
    No,
    /// `-3`: failing HELLO 3 is an error.
    Required,
    /// Implied by `--json`: failing HELLO 3 is only reported.
    Preferred,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Run: `command` empty means interactive. `warnings` go to stderr first.
    Run { options: Box<Options>, command: Vec<Vec<u8>>, warnings: Vec<String> },
    /// `--help` (or `-h` with no host): the usage on stdout, status 0.
    Help,
    /// `--version`
    Version,
    /// A bad option: the message on stderr, status 1.
    Fail(String),
}

impl Options {
    /// The defaults; `stdout_is_tty` picks the human or raw output and whether pushes are shown.
    pub fn new(stdout_is_tty: bool) -> Options {
        Options {
            conn: ConnInfo { host: "127.0.0.1".to_owned(), port: 6379, user: None, auth: None, dbnum: 0 },
            connect_timeout: None,
            repeat: 1,
            interval: Duration::ZERO,
            stdin_last_arg: false,
            stdin_tag: None,
            output: if stdout_is_tty { OutputMode::Human } else { OutputMode::Raw },
            delims: Delimiters::default(),
            resp2: false,
            resp3: Resp3::No,
            set_errcode: false,
            no_auth_warning: false,
            quoted_input: false,
            push_output: stdout_is_tty,
        }
    }
}

/// Modes of valkey-cli that ferrokey-cli does not have yet: named so the refusal says so plainly.
const UNSUPPORTED: &[&str] = &[
    "-s",
    "--askpass",
    "--stat",
    "--scan",
    "--pattern",
    "--quoted-pattern",
    "--count",
    "--bigkeys",
    "--memkeys",
    "--memkeys-samples",
    "--hotkeys",
    "--latency",
    "--latency-history",
    "--latency-dist",
    "--lru-test",
    "--replica",
    "--slave",
    "--rdb",
    "--functions-rdb",
    "--pipe",
    "--pipe-timeout",
    "--intrinsic-latency",
    "--eval",
    "--ldb",
    "--ldb-sync-mode",
    "--cluster",
    "--tls",
];

/// Parses `args` (without the program name).
pub fn parse_options(args: &[OsString], stdout_is_tty: bool) -> Parsed {
    let mut o = Options::new(stdout_is_tty);
    let mut warnings = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_bytes();
        let text = String::from_utf8_lossy(arg).into_owned();
        let has_value = i + 1 < args.len();
        let value = || String::from_utf8_lossy(args[i + 1].as_bytes()).into_owned();
        let value_bytes = || args[i + 1].as_bytes().to_vec();
        let mut takes_value = has_value;
        match text.as_str() {
            "-h" if has_value => o.conn.host = value(),
            "-h" | "--help" => return Parsed::Help,
            "-v" | "--version" => return Parsed::Version,
            "-p" if has_value => {
                o.conn.port = atoi(&value());
                if !(0..=65535).contains(&o.conn.port) {
                    return Parsed::Fail("Invalid server port.".to_owned());
                }
            }
            "-t" if has_value => match value().parse::<f64>() {
                Ok(seconds) if seconds >= 0.0 && seconds.is_finite() => {
                    o.connect_timeout = Some(Duration::from_secs_f64(seconds));
                }
                _ => return Parsed::Fail("Invalid connection timeout for -t.".to_owned()),
            },
            "-r" if has_value => o.repeat = atoi(&value()),
            "-i" if has_value => o.interval = Duration::from_secs_f64(atof(&value()).max(0.0)),
            "-n" if has_value => o.conn.dbnum = atoi(&value()),
            "-a" | "--pass" if has_value => o.conn.auth = Some(value_bytes()),
            "--user" if has_value => o.conn.user = Some(value_bytes()),
            "-u" if has_value => {
                if let Err(message) = apply_uri(&value(), &mut o.conn) {
                    return Parsed::Fail(message);
                }
                if !(0..=65535).contains(&o.conn.port) {
                    return Parsed::Fail("Invalid server port.".to_owned());
                }
            }
            "-X" if has_value => o.stdin_tag = Some(value_bytes()),
            "-d" if has_value => o.delims.element = value_bytes(),
            "-D" if has_value => o.delims.reply = value_bytes(),
            "--show-pushes" if has_value => {
                let v = value();
                match v.as_bytes().first().map(u8::to_ascii_lowercase) {
                    Some(b'n') => o.push_output = false,
                    Some(b'y') => o.push_output = true,
                    _ => warnings.push(format!("Unknown --show-pushes value '{v}' (valid: '[y]es', '[n]o')")),
                }
            }
            flag => {
                takes_value = false;
                match flag {
                    "-x" => o.stdin_last_arg = true,
                    "-e" => o.set_errcode = true,
                    "-2" => o.resp2 = true,
                    "-3" => o.resp3 = Resp3::Required,
                    "--raw" => o.output = OutputMode::Raw,
                    "--no-raw" => o.output = OutputMode::Human,
                    "--csv" => o.output = OutputMode::Csv,
                    "--json" | "--quoted-json" => {
                        if o.resp3 == Resp3::No {
                            o.resp3 = Resp3::Preferred;
                        }
                        o.output = if flag == "--json" { OutputMode::Json } else { OutputMode::QuotedJson };
                    }
                    "--no-auth-warning" => o.no_auth_warning = true,
                    "--quoted-input" => o.quoted_input = true,
                    // No cluster, no DNS preference, nothing verbose to say: accepted and moot.
                    "-c" | "-4" | "-6" | "--verbose" => {}
                    _ if UNSUPPORTED.contains(&flag) => {
                        return Parsed::Fail(format!("Option '{flag}' is not supported by ferrokey-cli yet."));
                    }
                    _ if arg.first() == Some(&b'-') => {
                        return Parsed::Fail(format!("Unrecognized option or bad number of args for: '{flag}'"));
                    }
                    _ => break, // the command starts here
                }
            }
        }
        i += if takes_value { 2 } else { 1 };
    }

    if o.resp2 && o.resp3 == Resp3::Required {
        return Parsed::Fail("Options -2 and -3 are mutually exclusive.".to_owned());
    }
    if o.stdin_last_arg && o.stdin_tag.is_some() {
        return Parsed::Fail("Options -x and -X are mutually exclusive.".to_owned());
    }
    if !o.no_auth_warning && o.conn.auth.is_some() {
        warnings.push(
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
                .to_owned(),
        );
    }
    let command = args[i.min(args.len())..].iter().map(|a| a.as_bytes().to_vec()).collect();
    Parsed::Run { options: Box::new(o), command, warnings }
}

/// C's `atof`: the longest leading part that reads as a number (0 when none).
fn atof(text: &str) -> f64 {
    let t = text.trim_start();
    let candidate: String =
        t.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E')).collect();
    (1..=candidate.len()).rev().find_map(|n| candidate[..n].parse::<f64>().ok()).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Parsed {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse_options(&args, false)
    }

    fn run(args: &[&str]) -> (Options, Vec<String>, Vec<String>) {
        match parse(args) {
            Parsed::Run { options, command, warnings } => {
                (*options, command.into_iter().map(|c| String::from_utf8(c).unwrap()).collect(), warnings)
            }
            other => panic!("expected Run, got {other:?}"),
        }
    }

    #[test]
    fn options_connection_flags_then_command() {
        let (o, cmd, warnings) = run(&["-h", "10.0.0.1", "-p", "7000", "-n", "2", "--raw", "get", "-x"]);
        assert_eq!((o.conn.host.as_str(), o.conn.port, o.conn.dbnum), ("10.0.0.1", 7000, 2));
        assert_eq!(o.output, OutputMode::Raw);
        assert_eq!(cmd, ["get", "-x"], "options end at the command");
        assert!(warnings.is_empty());
    }

    #[test]
    fn options_password_warns_unless_silenced() {
        let (o, _, warnings) = run(&["-a", "pw", "ping"]);
        assert_eq!(o.conn.auth.as_deref(), Some(&b"pw"[..]));
        assert_eq!(
            warnings,
            ["Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."]
        );
        let (_, _, warnings) = run(&["--no-auth-warning", "--user", "u", "--pass", "pw"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn options_uri_sets_connection_and_warns_for_password() {
        let (o, cmd, warnings) = run(&["-u", "redis://u:pw@h:1234/5"]);
        assert_eq!((o.conn.host.as_str(), o.conn.port, o.conn.dbnum), ("h", 1234, 5));
        assert!(cmd.is_empty());
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            parse(&["-u", "rediss://h"]),
            Parsed::Fail("rediss:// is not supported: ferrokey-cli has no TLS support yet".into())
        );
    }

    #[test]
    fn options_errors_use_valkey_cli_messages() {
        assert_eq!(
            parse(&["--bogus"]),
            Parsed::Fail("Unrecognized option or bad number of args for: '--bogus'".into())
        );
        assert_eq!(parse(&["-p"]), Parsed::Fail("Unrecognized option or bad number of args for: '-p'".into()));
        assert_eq!(parse(&["-p", "70000"]), Parsed::Fail("Invalid server port.".into()));
        assert_eq!(parse(&["-2", "-3"]), Parsed::Fail("Options -2 and -3 are mutually exclusive.".into()));
        assert_eq!(parse(&["-t", "x"]), Parsed::Fail("Invalid connection timeout for -t.".into()));
        assert_eq!(parse(&["--help"]), Parsed::Help);
        assert_eq!(parse(&["-h"]), Parsed::Help);
        assert_eq!(parse(&["--version"]), Parsed::Version);
    }

    #[test]
    fn options_repeat_interval_and_modes() {
        let (o, _, _) = run(&["-r", "-1", "-i", "0.5", "-x", "-3", "-e", "--no-raw", "-d", ",", "-D", ";"]);
        assert_eq!((o.repeat, o.interval), (-1, Duration::from_millis(500)));
        assert!(o.stdin_last_arg && o.set_errcode);
        assert_eq!((o.resp3, o.output), (Resp3::Required, OutputMode::Human));
        assert_eq!((o.delims.element.as_slice(), o.delims.reply.as_slice()), (&b","[..], &b";"[..]));
        let (o, _, _) = run(&["--json"]);
        assert_eq!((o.resp3, o.output), (Resp3::Preferred, OutputMode::Json));
    }

    #[test]
    fn atof_reads_a_prefix() {
        assert_eq!(atof("0.1s"), 0.1);
        assert_eq!(atof("abc"), 0.0);
        assert_eq!(atof("2e"), 2.0);
    }
}
