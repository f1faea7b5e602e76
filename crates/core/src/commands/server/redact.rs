//! Arguments that must never show up in the slow log or a MONITOR feed: passwords and user names, as
//! Valkey replaces them with `(redacted)` (AUTH, HELLO ... AUTH, CONFIG SET of a sensitive parameter,
//! ACL SETUSER/GETUSER/DELUSER, MIGRATE ... AUTH/AUTH2).

use crate::args::is;

pub const REDACTED: &[u8] = b"(redacted)";

/// `argv` as it may be logged: the secret arguments of `command` (a full name, `config|set`)
/// replaced by `(redacted)`.
pub fn redacted_argv(command: &str, argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let secret = secret_positions(command, argv);
    argv.iter().enumerate().map(|(i, a)| if secret.contains(&i) { REDACTED.to_vec() } else { a.clone() }).collect()
}

fn secret_positions(command: &str, argv: &[Vec<u8>]) -> Vec<usize> {
    let argc = argv.len();
    match command {
        "auth" if argc <= 3 => (1..argc).collect(),
        "hello" => {
            let mut out = Vec::new();
            let mut j = 2;
            while j < argc {
                let more = argc - 1 - j;
                if is(&argv[j], "auth") && more >= 2 {
                    out.extend([j + 1, j + 2]);
                    j += 3;
                } else if is(&argv[j], "setname") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
            out
        }
        "config|set" => (2..argc)
            .step_by(2)
            .filter(|&i| i + 1 < argc && crate::config::find_param(&argv[i]).is_some_and(|p| p.is_sensitive()))
            .map(|i| i + 1)
            .collect(),
        "acl|setuser" | "acl|deluser" => (2..argc).collect(),
        "acl|getuser" if argc == 3 => vec![2],
        "migrate" => {
            let mut out = Vec::new();
            let mut j = 6;
            while j < argc {
                if is(&argv[j], "auth") && j + 1 < argc {
                    out.push(j + 1);
                    j += 2;
                } else if is(&argv[j], "auth2") && j + 2 < argc {
                    out.extend([j + 1, j + 2]);
                    j += 3;
                } else if is(&argv[j], "keys") {
                    break;
                } else {
                    j += 1;
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn redact_hides_passwords_and_users() {
        let r = redacted_argv("auth", &argv(&["auth", "u", "p"]));
        assert_eq!(r, argv(&["auth", "(redacted)", "(redacted)"]));
        let r = redacted_argv("hello", &argv(&["hello", "3", "AUTH", "u", "p", "SETNAME", "n"]));
        assert_eq!(r, argv(&["hello", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"]));
        let r = redacted_argv("config|set", &argv(&["config", "set", "requirepass", "x", "maxmemory", "1"]));
        assert_eq!(r, argv(&["config", "set", "requirepass", "(redacted)", "maxmemory", "1"]));
        let r = redacted_argv("migrate", &argv(&["migrate", "h", "1", "k", "9", "5000", "AUTH2", "u", "p"]));
        assert_eq!(&r[7..], &argv(&["(redacted)", "(redacted)"])[..]);
    }
}
