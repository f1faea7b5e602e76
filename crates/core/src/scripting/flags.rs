//! Script flags and the two shebang lines: an EVAL script's `#!lua flags=no-writes,...` and a function
//! library's `#!lua name=mylib`, parsed with Valkey's rules and error texts (`evalExtractShebangFlags`,
//! `functionExtractLibMetaData`).

use crate::resp::split_args;

/// The flags a script declares, Valkey's `SCRIPT_FLAG_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScriptFlags(u8);

impl ScriptFlags {
    pub const NO_WRITES: ScriptFlags = ScriptFlags(1 << 0);
    pub const ALLOW_OOM: ScriptFlags = ScriptFlags(1 << 1);
    pub const ALLOW_STALE: ScriptFlags = ScriptFlags(1 << 2);
    pub const NO_CLUSTER: ScriptFlags = ScriptFlags(1 << 3);
    /// An EVAL script without a shebang: Valkey's backwards-compatible mode, where the script's
    /// commands decide what it may do instead of declared flags.
    pub const EVAL_COMPAT_MODE: ScriptFlags = ScriptFlags(1 << 4);
    pub const ALLOW_CROSS_SLOT: ScriptFlags = ScriptFlags(1 << 5);

    pub const NONE: ScriptFlags = ScriptFlags(0);

    /// The declarable flags, in the order FUNCTION LIST prints them.
    pub const NAMES: &'static [(ScriptFlags, &'static str)] = &[
        (ScriptFlags::NO_WRITES, "no-writes"),
        (ScriptFlags::ALLOW_OOM, "allow-oom"),
        (ScriptFlags::ALLOW_STALE, "allow-stale"),
        (ScriptFlags::NO_CLUSTER, "no-cluster"),
        (ScriptFlags::ALLOW_CROSS_SLOT, "allow-cross-slot-keys"),
    ];

    pub fn contains(self, other: ScriptFlags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn insert(&mut self, other: ScriptFlags) {
        self.0 |= other.0;
    }

    pub fn remove(&mut self, other: ScriptFlags) {
        self.0 &= !other.0;
    }

    /// The flag named `name`; shebangs match exactly, `register_function` ignores case.
    pub fn by_name(name: &[u8], ignore_case: bool) -> Option<ScriptFlags> {
        Self::NAMES
            .iter()
            .find(|(_, n)| if ignore_case { n.as_bytes().eq_ignore_ascii_case(name) } else { n.as_bytes() == name })
            .map(|(f, _)| *f)
    }

    /// Names of the declared flags, in [`ScriptFlags::NAMES`] order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES.iter().filter(move |(f, _)| self.contains(*f)).map(|(_, n)| *n)
    }
}

/// An EVAL script's flags and how many bytes its shebang line takes (0 without one). The newline that
/// ends the shebang is not counted: it stays in the compiled code so line numbers hold.
pub fn eval_shebang(body: &[u8]) -> Result<(ScriptFlags, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((ScriptFlags::EVAL_COMPAT_MODE, 0));
    }
    let Some(end) = line_end(body) else {
        return Err("Invalid script shebang".into());
    };
    let parts = match split_args(&body[..end]) {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid engine in script shebang".into()),
    };
    if parts[0] != b"#!lua" {
        return Err(format!("Unexpected engine in script shebang: {}", lossy(&parts[0])));
    }
    let mut flags = ScriptFlags::NONE;
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!("Unknown lua shebang option: {}", lossy(part)));
        };
        // An empty list declares no flags (`#!lua flags=`), as sdssplitlen gives no element for "".
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            match ScriptFlags::by_name(name, false) {
                Some(f) => flags.insert(f),
                None => return Err(format!("Unexpected flag in script shebang: {}", lossy(name))),
            }
        }
    }
    Ok((flags, end))
}

/// What a library's shebang says: its engine and name, and the code after the shebang line (the
/// newline included, so the code's line numbers match the library's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryMeta {
    pub engine: Vec<u8>,
    pub name: Vec<u8>,
    pub code_start: usize,
}

/// Parses `#!<engine> name=<name>` at the start of a FUNCTION LOAD payload.
pub fn library_meta(code: &[u8]) -> Result<LibraryMeta, String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = line_end(code) else {
        return Err("Invalid library metadata".into());
    };
    let parts = match split_args(&code[..end]) {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid library metadata".into()),
    };
    let engine = parts[0].get(2..).unwrap_or_default().to_vec();
    let mut name: Option<Vec<u8>> = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err("Invalid metadata value, name argument was given multiple times".into());
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!("Invalid metadata value given: {}", lossy(part)));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok(LibraryMeta { engine, name, code_start: end })
}

/// Where the first line ends, as `strchr(s, '\n')` finds it: a NUL byte first means there is no end.
fn line_end(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'\n' || b == 0).filter(|&i| s[i] == b'\n')
}

/// Library and function names: letters, digits and underscores, at least one.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The error both invalid library names and invalid function names get (Valkey words it for libraries).
pub const INVALID_NAME: &str =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

fn lossy(b: &[u8]) -> String {
    // Valkey formats these with %s, which stops at a NUL byte.
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_shebang_without_one_is_compat_mode() {
        assert_eq!(eval_shebang(b"return 1"), Ok((ScriptFlags::EVAL_COMPAT_MODE, 0)));
    }

    #[test]
    fn eval_shebang_flags_are_parsed_and_length_excludes_newline() {
        let (flags, len) = eval_shebang(b"#!lua flags=no-writes,allow-oom\nreturn 1").unwrap();
        assert!(flags.contains(ScriptFlags::NO_WRITES) && flags.contains(ScriptFlags::ALLOW_OOM));
        assert!(!flags.contains(ScriptFlags::EVAL_COMPAT_MODE));
        assert_eq!(len, 31);
    }

    #[test]
    fn eval_shebang_errors_match_valkey() {
        assert_eq!(eval_shebang(b"#!lua"), Err("Invalid script shebang".into()));
        assert_eq!(eval_shebang(b"#!not-lua\n"), Err("Unexpected engine in script shebang: #!not-lua".into()));
        assert_eq!(eval_shebang(b"#!lua badger=data\n"), Err("Unknown lua shebang option: badger=data".into()));
        assert_eq!(
            eval_shebang(b"#!lua flags=allow-oom,what?\n"),
            Err("Unexpected flag in script shebang: what?".into())
        );
        assert_eq!(eval_shebang(b"#!lua flags=\n"), Ok((ScriptFlags::NONE, 12)));
    }

    #[test]
    fn library_meta_reads_name_and_rejects_bad_lines() {
        let meta = library_meta(b"#!lua name=mylib\ncode").unwrap();
        assert_eq!((meta.engine.as_slice(), meta.name.as_slice(), meta.code_start), (&b"lua"[..], &b"mylib"[..], 16));
        assert_eq!(library_meta(b"#!lua name=\"foo\"\n").unwrap().name, b"foo");
        assert_eq!(library_meta(b"return 1"), Err("Missing library metadata".into()));
        assert_eq!(library_meta(b"#!lua name=x"), Err("Invalid library metadata".into()));
        assert_eq!(library_meta(b"#!lua\n"), Err("Library name was not given".into()));
        assert_eq!(library_meta(b"#!lua name=a foo=bar\n"), Err("Invalid metadata value given: foo=bar".into()));
        assert_eq!(library_meta(b"#!lua name=a\0b\n"), Err("Invalid library metadata".into()));
        assert_eq!(
            library_meta(b"#!lua name=a name=b\n"),
            Err("Invalid metadata value, name argument was given multiple times".into())
        );
    }

    #[test]
    fn valid_name_allows_word_characters_only() {
        assert!(valid_name(b"lib_1"));
        assert!(!valid_name(b""));
        assert!(!valid_name(b"bad\0name"));
    }
}
