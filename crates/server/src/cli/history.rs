//! The interactive history file: plain lines, one command each, the last 100 kept (linenoise's format,
//! so the file reads the same in any valkey-cli). Commands carrying secrets stay in memory only.

use std::io::Write;
use std::path::PathBuf;

/// How many entries are kept, as linenoise keeps.
pub const HISTORY_MAX_LEN: usize = 100;

/// Where history goes: `$REDISCLI_HISTFILE` (valkey-cli's variable; `/dev/null` turns it off), else
/// `~/.ferrokeycli_history`.
pub fn history_path() -> Option<PathBuf> {
    match std::env::var_os("REDISCLI_HISTFILE") {
        Some(path) if !path.is_empty() => (path != "/dev/null").then(|| PathBuf::from(path)),
        _ => std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".ferrokeycli_history")),
    }
}

#[derive(Debug, Default)]
pub struct History {
    /// Oldest first; the flag marks entries never to be written to disk.
    entries: Vec<(String, bool)>,
}

impl History {
    /// Reads `path`; a missing file is an empty history.
    pub fn load(path: &std::path::Path) -> History {
        let text = std::fs::read(path).unwrap_or_default();
        let mut history = History::default();
        for line in String::from_utf8_lossy(&text).lines() {
            history.add(line.trim_end_matches('\r'), false);
        }
        history
    }

    pub fn entries(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(line, _)| line.as_str())
    }

    /// Adds a line unless it repeats the last one. False when nothing was added.
    pub fn add(&mut self, line: &str, sensitive: bool) -> bool {
        if line.is_empty() || self.entries.last().is_some_and(|(last, _)| last == line) {
            return false;
        }
        if self.entries.len() == HISTORY_MAX_LEN {
            self.entries.remove(0);
        }
        self.entries.push((line.to_owned(), sensitive));
        true
    }

    /// Writes the non-sensitive entries, readable by the owner only.
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        let mut text = String::new();
        for (line, _) in self.entries.iter().filter(|(_, sensitive)| !sensitive) {
            text.push_str(line);
            text.push('\n');
        }
        file.write_all(text.as_bytes())
    }
}

/// Commands that may carry a password or key: AUTH, ACL SETUSER/GETUSER/DELUSER, CONFIG SET of
/// secrets, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, SENTINEL's auth settings.
pub fn is_sensitive(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, name: &str| argv.get(i).is_some_and(|a| a.eq_ignore_ascii_case(name.as_bytes()));
    let argc = argv.len();
    if is(0, "auth") {
        return true;
    }
    if argc > 1 && is(0, "acl") && (is(1, "deluser") || is(1, "setuser") || is(1, "getuser")) {
        return true;
    }
    if argc > 2 && is(0, "config") && is(1, "set") {
        const SECRETS: [&str; 7] = [
            "masterauth",
            "masteruser",
            "primaryuser",
            "primaryauth",
            "tls-key-file-pass",
            "tls-client-key-file-pass",
            "requirepass",
        ];
        return (2..argc).step_by(2).any(|j| SECRETS.iter().any(|s| is(j, s)));
    }
    if argc > 4 && is(0, "hello") {
        // HELLO protover [AUTH user pass] [SETNAME name]
        let mut j = 2;
        while j < argc {
            let more = argc - 1 - j;
            if is(j, "auth") && more >= 2 {
                return true;
            } else if is(j, "setname") && more > 0 {
                j += 2;
            } else {
                return false;
            }
        }
        return false;
    }
    if argc > 7 && is(0, "migrate") {
        for j in 6..argc {
            let more = argc - 1 - j;
            if (is(j, "auth") && more > 0) || (is(j, "auth2") && more >= 2) {
                return true;
            }
            if is(j, "keys") && more > 0 {
                return false;
            }
        }
        return false;
    }
    if argc > 4 && is(0, "sentinel") {
        return (is(1, "config") && is(2, "set") && (is(3, "sentinel-pass") || is(3, "sentinel-user")))
            || (is(1, "set") && (is(3, "auth-pass") || is(3, "auth-user")));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn is_sensitive_flags_secrets_only() {
        assert!(is_sensitive(&argv("AUTH pw")));
        assert!(is_sensitive(&argv("acl setuser bob on >pw")));
        assert!(is_sensitive(&argv("config set maxmemory 1 requirepass x")));
        assert!(!is_sensitive(&argv("config set maxmemory 1")));
        assert!(is_sensitive(&argv("hello 3 setname n auth u p")));
        assert!(!is_sensitive(&argv("hello 3 setname n x y")));
        assert!(is_sensitive(&argv("migrate h 1 k 0 10 copy auth pw")));
        assert!(!is_sensitive(&argv("get auth")));
    }

    #[test]
    fn history_skips_repeats_caps_length_and_hides_secrets() {
        let mut h = History::default();
        assert!(h.add("ping", false));
        assert!(!h.add("ping", false));
        assert!(h.add("auth pw", true));
        for i in 0..HISTORY_MAX_LEN {
            h.add(&format!("get k{i}"), false);
        }
        assert_eq!(h.entries().count(), HISTORY_MAX_LEN);
        assert_eq!(h.entries().next(), Some("get k0"));

        let dir = std::env::temp_dir().join(format!("ferrokey-cli-history-{}", std::process::id()));
        let mut h = History::default();
        h.add("set a 1", false);
        h.add("auth secret", true);
        h.add("get a", false);
        h.save(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(&dir).unwrap(), "set a 1\nget a\n");
        assert_eq!(History::load(&dir).entries().collect::<Vec<_>>(), ["set a 1", "get a"]);
        std::fs::remove_file(&dir).unwrap();
    }
}
