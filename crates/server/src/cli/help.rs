//! The texts the CLI prints about itself: `--version`, `--help` and the interactive `help`.

/// `ferrokey-cli --version`.
pub fn version_line() -> String {
    format!("ferrokey-cli {}\n", env!("CARGO_PKG_VERSION"))
}

/// `ferrokey-cli --help`: the options this CLI understands.
pub fn usage() -> String {
    format!(
        "ferrokey-cli {version}

Usage: ferrokey-cli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -t <timeout>       Connection timeout in seconds (decimals allowed; default: the system's).
  -a <password>      Password to send with AUTH. The REDISCLI_AUTH environment variable
                     passes it more safely (the option wins when both are set).
  --user <username>  User name for ACL-style 'AUTH username password'. Needs -a.
  --pass <password>  Same as -a.
  -u <uri>           Server URI: valkey://[[user:]password@][host[:port]][/db]
                     (redis:// works too; TLS schemes are not supported yet).
  -r <repeat>        Run the command N times (negative: forever).
  -i <interval>      With -r, wait this many seconds between runs (e.g. -i 0.1).
  -n <db>            Database number.
  -2                 Speak RESP2 (the default).
  -3                 Speak RESP3 (HELLO 3).
  -x                 Read the last argument from standard input.
  -X <tag>           Read the argument equal to <tag> from standard input.
  -d <delimiter>     Delimiter between elements in raw output (default: \\n).
  -D <delimiter>     Delimiter between replies in raw output (default: \\n).
  -e                 Exit with status 1 when the command fails.
  --raw              Raw output (the default when standard output is not a terminal).
  --no-raw           Formatted output even when standard output is not a terminal.
  --quoted-input     Read each argument as a quoted string (\"a\\x00b\").
  --csv              Output in CSV.
  --json             Output in JSON (asks for RESP3; add -2 to stay on RESP2).
  --quoted-json      Like --json, with ASCII-safe quoted strings.
  --show-pushes <yn> Print RESP3 pushes (default: yes when standard output is a terminal).
  --no-auth-warning  Do not warn about a password given on the command line.
  --help             Print this help and exit.
  --version          Print the version and exit.

Examples:
  ferrokey-cli ping
  ferrokey-cli -u valkey://default:PASSWORD@localhost:6379/0 get key
  cat /etc/hostname | ferrokey-cli -x set host
  ferrokey-cli -r 100 -i 0.5 incr counter

Without a command, ferrokey-cli reads commands interactively (or one per line from standard input).
",
        version = env!("CARGO_PKG_VERSION")
    )
}

/// `help` at the prompt. Per-command help needs the server's COMMAND DOCS, which is not read yet.
pub fn interactive_help(topic: &[Vec<u8>]) -> String {
    if topic.is_empty() {
        return format!(
            "ferrokey-cli {}
To get help about a command, see its documentation at valkey.io.
      \"quit\" to exit

Line editing: arrows and Ctrl-R search the history; \"clear\" clears the screen.
",
            env!("CARGO_PKG_VERSION")
        );
    }
    format!("No built-in help for '{}' yet: see its documentation at valkey.io.\n", String::from_utf8_lossy(&topic[0]))
}
