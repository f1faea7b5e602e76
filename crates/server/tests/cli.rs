//! ferrokey-cli end to end: the binary against a ferrokey-server on a free port, its output pinned to
//! what valkey-cli prints (raw when stdout is not a terminal, human with `--no-raw`), and, where
//! Debian's redis-cli and redis-server are installed, compared with redis-cli line for line.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{RealServer, ServerProcess, TestServer};

const CLI: &str = env!("CARGO_BIN_EXE_ferrokey-cli");
/// A CLI run that takes longer than this has hung.
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

struct Output {
    stdout: String,
    stderr: String,
    code: i32,
}

/// A command for `program` with an environment that cannot change its behaviour.
fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_remove("FAKETTY")
        .env_remove("REDISCLI_AUTH")
        .env("REDISCLI_HISTFILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `program args` with `stdin` as its input and waits (bounded) for it to finish.
fn run_program(program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = command(program, args).spawn().expect("spawn the CLI");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(RUN_TIMEOUT) {
        Ok(out) => out.expect("wait for the CLI"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{program} {args:?} did not finish within {RUN_TIMEOUT:?}");
        }
    };
    writer.join().expect("stdin writer");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// ferrokey-cli against `server`, the port prepended to `args`.
fn cli_with_input(server: &ServerProcess, args: &[&str], stdin: &str) -> Output {
    let port = server.port.to_string();
    let mut all = vec!["-p", port.as_str()];
    all.extend_from_slice(args);
    run_program(CLI, &all, stdin.as_bytes())
}

fn cli(server: &ServerProcess, args: &[&str]) -> Output {
    cli_with_input(server, args, "")
}

/// Asserts a clean run (status 0, nothing on stderr) and returns stdout.
fn ok_stdout(out: Output) -> String {
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "stdout: {:?}", out.stdout);
    out.stdout
}

#[test]
fn cli_ping_without_tty_prints_bare_pong_and_exits_0() {
    let server = TestServer::start();
    let out = cli(&server, &["ping"]);
    assert_eq!(ok_stdout(out), "PONG\n");
}

#[test]
fn cli_replies_without_tty_use_the_raw_format() {
    let server = TestServer::start();
    assert_eq!(ok_stdout(cli(&server, &["set", "foo", "bar"])), "OK\n");
    assert_eq!(ok_stdout(cli(&server, &["get", "foo"])), "bar\n");
    assert_eq!(ok_stdout(cli(&server, &["get", "missing"])), "\n");
    assert_eq!(ok_stdout(cli(&server, &["incr", "n"])), "1\n");
    assert_eq!(ok_stdout(cli(&server, &["rpush", "list", "a", "b c"])), "2\n");
    assert_eq!(ok_stdout(cli(&server, &["lrange", "list", "0", "-1"])), "a\nb c\n");
    assert_eq!(ok_stdout(cli(&server, &["lrange", "nolist", "0", "-1"])), "\n");
    assert_eq!(ok_stdout(cli(&server, &["--raw", "echo", "x\ty"])), "x\ty\n");
}

#[test]
fn cli_error_reply_prints_to_stdout_and_exits_0_unless_e() {
    let server = TestServer::start();
    // valkey-cli prints the error line and then the reply delimiter: an empty line follows.
    let out = cli(&server, &["get"]);
    assert_eq!(ok_stdout(out), "ERR wrong number of arguments for 'get' command\n\n");
    let out = cli(&server, &["-e", "get"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(out.stderr, "ERR wrong number of arguments for 'get' command\n");
    let out = cli(&server, &["--no-raw", "get"]);
    assert_eq!(ok_stdout(out), "(error) ERR wrong number of arguments for 'get' command\n");
}

#[test]
fn cli_no_raw_prints_the_human_format() {
    let server = TestServer::start();
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "ping"])), "PONG\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "set", "foo", "bar"])), "OK\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "get", "foo"])), "\"bar\"\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "get", "missing"])), "(nil)\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "incr", "n"])), "(integer) 1\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "lrange", "nolist", "0", "-1"])), "(empty array)\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "rpush", "l", "a", "b"])), "(integer) 2\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "lrange", "l", "0", "-1"])), "1) \"a\"\n2) \"b\"\n");
}

#[test]
fn cli_no_raw_quotes_binary_values() {
    let server = TestServer::start();
    let out = cli_with_input(&server, &["-x", "set", "bin"], "a\"b\\\x01\n");
    assert_eq!(ok_stdout(out), "OK\n");
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "get", "bin"])), "\"a\\\"b\\\\\\x01\\n\"\n");
    assert_eq!(ok_stdout(cli(&server, &["get", "bin"])), "a\"b\\\x01\n\n");
}

#[test]
fn cli_nested_replies_indent_under_their_index() {
    let server = TestServer::start();
    let script = "multi\nrpush l a b\nlrange l 0 -1\nexec\n";
    let out = cli_with_input(&server, &["--no-raw"], script);
    assert_eq!(ok_stdout(out), "OK\nQUEUED\nQUEUED\n1) (integer) 2\n2) 1) \"a\"\n   2) \"b\"\n");
}

#[test]
fn cli_resp3_prints_maps_and_doubles() {
    let server = TestServer::start();
    ok_stdout(cli(&server, &["hset", "h", "f", "v"]));
    ok_stdout(cli(&server, &["zadd", "z", "1.5", "m"]));
    assert_eq!(ok_stdout(cli(&server, &["-3", "--no-raw", "hgetall", "h"])), "1# \"f\" => \"v\"\n");
    assert_eq!(ok_stdout(cli(&server, &["-3", "hgetall", "h"])), "f v\n");
    assert_eq!(ok_stdout(cli(&server, &["-3", "--no-raw", "zscore", "z", "m"])), "(double) 1.5\n");
    assert_eq!(ok_stdout(cli(&server, &["-3", "zscore", "z", "m"])), "1.5\n");
    assert_eq!(ok_stdout(cli(&server, &["-3", "--no-raw", "hgetall", "nohash"])), "(empty hash)\n");
    // RESP2 gets the same map flattened.
    assert_eq!(ok_stdout(cli(&server, &["--no-raw", "hgetall", "h"])), "1) \"f\"\n2) \"v\"\n");
}

#[test]
fn cli_stdin_lines_run_one_command_each() {
    let server = TestServer::start();
    let script = "set k \"a b\"\nget k\n\"unbalanced\n3 ping\n0 ping\n\n   \nget\nselect 2\nget k\n";
    let out = cli_with_input(&server, &[], script);
    assert_eq!(
        ok_stdout(out),
        "OK\na b\nInvalid argument(s)\nPONG\nPONG\nPONG\nInvalid ferrokey-cli repeat command option value.\n\
         ERR wrong number of arguments for 'get' command\n\nOK\n\n"
    );
}

#[test]
fn cli_stdin_quit_stops_reading() {
    let server = TestServer::start();
    let out = cli_with_input(&server, &[], "ping\nquit\nping\n");
    assert_eq!(ok_stdout(out), "PONG\n");
}

#[test]
fn cli_x_reads_the_last_argument_from_stdin() {
    let server = TestServer::start();
    assert_eq!(ok_stdout(cli_with_input(&server, &["-x", "set", "k"], "line1\nline2\n")), "OK\n");
    assert_eq!(ok_stdout(cli(&server, &["strlen", "k"])), "12\n");
    assert_eq!(ok_stdout(cli_with_input(&server, &["-X", "TAG", "set", "TAG", "v"], "key")), "OK\n");
    assert_eq!(ok_stdout(cli(&server, &["get", "key"])), "v\n");
}

#[test]
fn cli_repeat_runs_the_command_n_times() {
    let server = TestServer::start();
    assert_eq!(ok_stdout(cli(&server, &["-r", "3", "incr", "c"])), "1\n2\n3\n");
    assert_eq!(ok_stdout(cli(&server, &["-r", "2", "-i", "0.01", "incr", "c"])), "4\n5\n");
}

#[test]
fn cli_db_option_and_uri_select_the_database() {
    let server = TestServer::start();
    assert_eq!(ok_stdout(cli(&server, &["-n", "2", "set", "k", "two"])), "OK\n");
    assert_eq!(ok_stdout(cli(&server, &["-n", "2", "get", "k"])), "two\n");
    assert_eq!(ok_stdout(cli(&server, &["get", "k"])), "\n");
    let uri = format!("redis://127.0.0.1:{}/2", server.port);
    assert_eq!(ok_stdout(run_program(CLI, &["-u", &uri, "get", "k"], b"")), "two\n");
    let uri = format!("valkey://127.0.0.1:{}", server.port);
    assert_eq!(ok_stdout(run_program(CLI, &["-u", &uri, "get", "k"], b"")), "\n");
}

#[test]
fn cli_tls_uri_is_refused_clearly() {
    let out = run_program(CLI, &["-u", "rediss://127.0.0.1:6379", "ping"], b"");
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(out.stderr, "rediss:// is not supported: ferrokey-cli has no TLS support yet\n");
}

#[test]
fn cli_password_on_command_line_warns_unless_silenced() {
    // The test harness waits for PING, so the server has no password: AUTH fails, the command still
    // runs, as with valkey-cli. What matters here is the warning and the AUTH being sent.
    let server = TestServer::start();
    const WARNING: &str =
        "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n";
    const AUTH_FAILED: &str = "AUTH failed: ERR AUTH <password> called without any password configured for the \
                               default user. Are you sure your configuration is correct?\n";
    let out = cli(&server, &["-a", "secret", "ping"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "PONG\n"));
    assert_eq!(out.stderr, format!("{WARNING}{AUTH_FAILED}"));
    let out = cli(&server, &["--no-auth-warning", "--pass", "secret", "ping"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "PONG\n", AUTH_FAILED));
    let uri = format!("redis://secret@127.0.0.1:{}", server.port);
    let out = run_program(CLI, &["-u", &uri, "ping"], b"");
    assert_eq!((out.code, out.stdout.as_str()), (0, "PONG\n"));
    assert_eq!(out.stderr, format!("{WARNING}{AUTH_FAILED}"));
    // The environment's password is the quiet way.
    let mut cmd = command(CLI, &["-p", &server.port.to_string(), "ping"]);
    let out = cmd.env("REDISCLI_AUTH", "secret").stdin(Stdio::null()).output().expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stderr), AUTH_FAILED);
}

#[test]
fn cli_connection_refused_prints_valkey_cli_message_and_exits_1() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let out = run_program(CLI, &["-p", &port, "ping"], b"");
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(out.stderr, format!("Could not connect to Valkey at 127.0.0.1:{port}: Connection refused\n"));
}

#[test]
fn cli_bad_options_print_valkey_cli_messages() {
    let out = run_program(CLI, &["--bogus"], b"");
    assert_eq!((out.code, out.stderr.as_str()), (1, "Unrecognized option or bad number of args for: '--bogus'\n"));
    let out = run_program(CLI, &["-p", "99999", "ping"], b"");
    assert_eq!((out.code, out.stderr.as_str()), (1, "Invalid server port.\n"));
    let out = run_program(CLI, &["--version"], b"");
    assert_eq!((out.code, out.stdout), (0, format!("ferrokey-cli {}\n", env!("CARGO_PKG_VERSION"))));
    let out = run_program(CLI, &["--help"], b"");
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Usage: ferrokey-cli [OPTIONS] [cmd [arg [arg ...]]]"));
}

/// Reads `n` lines from a running CLI's stdout, failing after a while instead of hanging.
fn read_lines(lines: &mpsc::Receiver<String>, n: usize) -> Vec<String> {
    let deadline = Instant::now() + RUN_TIMEOUT;
    (0..n)
        .map(|_| {
            let left = deadline.saturating_duration_since(Instant::now());
            lines.recv_timeout(left).expect("a line from the CLI in time")
        })
        .collect()
}

/// Starts a CLI that does not end by itself, with its stdout as a channel of lines.
fn spawn_streaming(args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = command(CLI, args).stdin(Stdio::null()).spawn().expect("spawn the CLI");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

#[test]
fn cli_subscribe_prints_confirmations_then_messages() {
    let server = TestServer::start();
    let port = server.port.to_string();
    let (mut child, lines) = spawn_streaming(&["-p", &port, "subscribe", "news", "sport"]);
    assert_eq!(read_lines(&lines, 6), ["subscribe", "news", "1", "subscribe", "sport", "2"]);
    let mut publisher = server.connect();
    publisher.call(&["PUBLISH", "sport", "goal!"]);
    assert_eq!(read_lines(&lines, 3), ["message", "sport", "goal!"]);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn cli_subscribe_no_raw_prints_numbered_messages() {
    let server = TestServer::start();
    let port = server.port.to_string();
    let (mut child, lines) = spawn_streaming(&["-p", &port, "--no-raw", "-3", "subscribe", "ch"]);
    assert_eq!(read_lines(&lines, 3), ["1) \"subscribe\"", "2) \"ch\"", "3) (integer) 1"]);
    let mut publisher = server.connect();
    publisher.call(&["PUBLISH", "ch", "hi there"]);
    assert_eq!(read_lines(&lines, 3), ["1) \"message\"", "2) \"ch\"", "3) \"hi there\""]);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn cli_server_closing_the_connection_exits_1() {
    let mut server = TestServer::start();
    let port = server.port.to_string();
    let child = command(CLI, &["-p", &port, "blpop", "never", "0"]).stdin(Stdio::null()).spawn().expect("spawn");
    // Give the CLI time to connect and block, then take the server away.
    std::thread::sleep(Duration::from_millis(300));
    server.signal("KILL");
    let _ = server.wait_exit(Duration::from_secs(5));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx.recv_timeout(RUN_TIMEOUT).expect("CLI exits").expect("output");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "Error: Server closed the connection\n");
}

/// The same invocations through Debian's redis-cli and ours, against Debian's redis-server: the output
/// must match byte for byte once redis-cli's own name is replaced by ours.
#[test]
fn cli_output_matches_redis_cli() {
    let installed = Command::new("redis-cli").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("NOTICE: redis-cli is not on PATH; skipping the comparison with it");
        return;
    }
    let Some(server) = RealServer::start() else { return };
    let port = server.port.to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["ping"], ""),
        (&["--no-raw", "ping"], ""),
        (&["lrange", "l", "0", "-1"], ""),
        (&["--no-raw", "lrange", "l", "0", "-1"], ""),
        (&["--no-raw", "lrange", "none", "0", "-1"], ""),
        (&["get", "none"], ""),
        (&["--no-raw", "get", "none"], ""),
        (&["nosuchcommand", "x"], ""),
        (&["--no-raw", "nosuchcommand"], ""),
        (&["-e", "nosuchcommand"], ""),
        (&["-3", "--no-raw", "hgetall", "h"], ""),
        (&["-3", "hgetall", "h"], ""),
        (&["--csv", "lrange", "l", "0", "-1"], ""),
        (&["--json", "hgetall", "h"], ""),
        (&["-d", ",", "-D", ";", "lrange", "l", "0", "-1"], ""),
        (&["-x", "set", "fromstdin"], "line\n"),
        (&["--no-raw", "get", "q"], ""),
        (&["get", "q"], ""),
        (&[], "set a 1\nget a\n\"bad\n2 incr a\n-1 ping\nmulti\nincr a\nlrange l 0 -1\nexec\n"),
        (&["--no-raw"], "multi\nincr a\nlrange l 0 -1\nexec\nselect 3\nget a\n"),
        (&["-n", "4", "--no-raw", "ping"], ""),
        (&["--bogus"], ""),
    ];
    // Both CLIs start from the same data.
    let reset = || {
        let mut conn = server.connect();
        conn.call(&["FLUSHALL"]);
        conn.call(&["RPUSH", "l", "a", "b c", "d\"e"]);
        conn.call(&["HSET", "h", "a", "1", "b", "2"]);
        conn.call(&["SET", "q", "x\"y\\z\n\x01"]);
    };
    for (args, stdin) in cases {
        let mut all = vec!["-p", port.as_str()];
        all.extend_from_slice(args);
        reset();
        let ours = run_program(CLI, &all, stdin.as_bytes());
        reset();
        let theirs = run_program("redis-cli", &all, stdin.as_bytes());
        let normalise = |s: &str| s.replace("redis-cli", "ferrokey-cli").replace("Redis at", "Valkey at");
        assert_eq!(
            (ours.code, ours.stdout.as_str(), ours.stderr.as_str()),
            (theirs.code, normalise(&theirs.stdout).as_str(), normalise(&theirs.stderr).as_str()),
            "args {args:?} stdin {stdin:?}"
        );
    }
}

/// The terminal transcript without escape sequences and carriage returns.
fn strip_terminal_codes(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // Parameters, then one final letter (or `~`).
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() || c == '~' {
                        break;
                    }
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// The interactive prompt in a real terminal (a pty from util-linux `script`): prompt with the
/// database, human replies, history written without secrets. Each line is typed only once the prompt
/// is back, as a person would, so the terminal's echo cannot interleave with replies.
#[test]
fn cli_interactive_terminal_shows_prompt_and_human_replies() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("NOTICE: script(1) is not installed; skipping the terminal test");
        return;
    }
    let server = TestServer::start();
    let history = std::env::temp_dir().join(format!("ferrokey-cli-test-history-{}", std::process::id()));
    let _ = std::fs::remove_file(&history);
    let cmdline = format!("{CLI} -p {}", server.port);
    let mut child = Command::new("script")
        .args(["-qfec", &cmdline, "/dev/null"])
        .env_remove("FAKETTY")
        .env_remove("REDISCLI_AUTH")
        .env("REDISCLI_HISTFILE", &history)
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn script");
    let mut input = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let screen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let screen = screen.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut stdout, &mut chunk) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        })
    };
    let transcript = || strip_terminal_codes(&screen.lock().unwrap());
    // Waits until a fresh prompt follows everything from `mark` on (the typed line's own echo ends
    // with the line, and the reply ends with a newline), or gives up and lets the assertions explain.
    let wait_for_prompt = |mark: usize| {
        let deadline = Instant::now() + RUN_TIMEOUT;
        while Instant::now() < deadline {
            let text = transcript();
            let fresh = text.get(mark..).unwrap_or("");
            if (mark == 0 || fresh.contains('\n')) && fresh.ends_with("> ") {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let lines = ["ping", "select 2", "set k v", "get k", "auth secret", "rpush l a b", "lrange l 0 -1", "quit"];
    let mut mark = 0;
    for line in lines {
        wait_for_prompt(mark);
        mark = transcript().len();
        input.write_all(format!("{line}\r").as_bytes()).expect("type a line");
        input.flush().expect("flush");
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    rx.recv_timeout(RUN_TIMEOUT).expect("the terminal session ends").expect("exit status");
    drop(input);
    reader.join().expect("reader");
    let transcript = transcript();
    let port = server.port;
    for expected in [
        format!("127.0.0.1:{port}> ping\nPONG\n"),
        format!("127.0.0.1:{port}> select 2\nOK\n"),
        format!("127.0.0.1:{port}[2]> get k\n\"v\"\n"),
        format!("127.0.0.1:{port}[2]> lrange l 0 -1\n1) \"a\"\n2) \"b\"\n"),
        format!("127.0.0.1:{port}[2]> auth secret\n(error) ERR AUTH"),
    ] {
        assert!(transcript.contains(&expected), "missing {expected:?} in:\n{transcript}");
    }
    let saved = std::fs::read_to_string(&history).unwrap_or_default();
    let _ = std::fs::remove_file(&history);
    assert_eq!(saved, "ping\nselect 2\nset k v\nget k\nrpush l a b\nlrange l 0 -1\nquit\n");
}

#[test]
fn cli_faketty_env_picks_the_human_format_like_a_terminal() {
    let server = TestServer::start();
    let port = server.port.to_string();
    let out = command(CLI, &["-p", &port, "get", "missing"]).env("FAKETTY", "1").stdin(Stdio::null()).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "(nil)\n");
    let out =
        command(CLI, &["-p", &port, "--raw", "echo", "x"]).env("FAKETTY", "1").stdin(Stdio::null()).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "x\n");
}
