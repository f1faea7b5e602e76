//! The multi-part AOF's manifest (Valkey 7+): the file `<appendfilename>.manifest` in `appenddirname`
//! lists the base file, history files and incr files, one a line, as
//! `file <name> seq <n> type <b|h|i>`. Valkey, Redis 7 and their `check-aof` tools read this format,
//! so it is written exactly as they write it.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Base,
    History,
    Incr,
}

impl FileKind {
    fn letter(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::History => 'h',
            FileKind::Incr => 'i',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    pub name: String,
    pub seq: i64,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    pub history: Vec<AofFile>,
    pub incrs: Vec<AofFile>,
    /// The highest sequence numbers given so far (Valkey's `curr_base_file_seq`, `curr_incr_file_seq`).
    pub base_seq: i64,
    pub incr_seq: i64,
}

/// `appendonly.aof.manifest`
pub fn manifest_name(appendfilename: &str) -> String {
    format!("{appendfilename}.manifest")
}

/// `temp-appendonly.aof.manifest`: written first, then renamed over the manifest.
pub fn temp_manifest_name(appendfilename: &str) -> String {
    format!("temp-{appendfilename}.manifest")
}

/// `temp-appendonly.aof.incr`: the incr file of a rewrite that turns the AOF on.
pub fn temp_incr_name(appendfilename: &str) -> String {
    format!("temp-{appendfilename}.incr")
}

impl Manifest {
    /// Names a new base file (`appendonly.aof.2.base.rdb`) and turns the old base into history.
    pub fn new_base(&mut self, appendfilename: &str, rdb: bool) -> String {
        self.base_seq += 1;
        let name = format!("{appendfilename}.{}.base.{}", self.base_seq, if rdb { "rdb" } else { "aof" });
        if let Some(mut old) = self.base.take() {
            old.kind = FileKind::History;
            self.history.push(old);
        }
        self.base = Some(AofFile { name: name.clone(), seq: self.base_seq, kind: FileKind::Base });
        name
    }

    /// Names and lists a new incr file (`appendonly.aof.3.incr.aof`).
    pub fn new_incr(&mut self, appendfilename: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{appendfilename}.{}.incr.aof", self.incr_seq);
        self.incrs.push(AofFile { name: name.clone(), seq: self.incr_seq, kind: FileKind::Incr });
        name
    }

    /// The incr file to append to, made if there is none.
    pub fn last_incr(&mut self, appendfilename: &str) -> String {
        match self.incrs.last() {
            Some(f) => f.name.clone(),
            None => self.new_incr(appendfilename),
        }
    }

    /// After a rewrite: every incr file but the newest is in the new base, so it becomes history.
    pub fn mark_rewritten_incrs_as_history(&mut self) {
        let keep = self.incrs.pop();
        for mut f in self.incrs.drain(..) {
            f.kind = FileKind::History;
            self.history.push(f);
        }
        self.incrs.extend(keep);
    }

    /// The manifest's text: base first, then history, then incr files.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in self.base.iter().chain(&self.history).chain(&self.incrs) {
            let _ = writeln!(out, "file {} seq {} type {}", repr_if_needed(&f.name), f.seq, f.kind.letter());
        }
        out
    }

    /// Reads a manifest as Valkey's `aofLoadManifestFromString` does; the error is the reason.
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        const INVALID: &str = "Invalid AOF manifest file format";
        let mut m = Manifest::default();
        let mut last_incr_seq = 0;
        for raw in text.split_inclusive(|&b| b == b'\n') {
            if raw.first() == Some(&b'#') {
                continue;
            }
            if raw.len() > 1024 {
                return Err("The AOF manifest file contains too long line".into());
            }
            let Some(line) = raw.strip_suffix(b"\n") else { return Err(INVALID.into()) };
            let words = split_args(line).ok_or(INVALID)?;
            if words.is_empty() {
                continue;
            }
            if words.len() % 2 != 0 {
                return Err(INVALID.into());
            }
            let (mut name, mut seq, mut kind) = (None, None, None);
            for pair in words.chunks(2) {
                let value = String::from_utf8_lossy(&pair[1]).into_owned();
                match pair[0].to_ascii_lowercase().as_slice() {
                    b"file" => name = Some(value),
                    b"seq" => seq = value.parse::<i64>().ok(),
                    b"type" => kind = value.chars().next(),
                    _ => {}
                }
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else { return Err(INVALID.into()) };
            if name.contains('/') {
                return Err("File can't be a path, just a filename".into());
            }
            match kind {
                'b' => {
                    if m.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    m.base_seq = seq;
                    m.base = Some(AofFile { name, seq, kind: FileKind::Base });
                }
                'h' => m.history.push(AofFile { name, seq, kind: FileKind::History }),
                'i' => {
                    if seq <= last_incr_seq {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    last_incr_seq = seq;
                    m.incr_seq = seq;
                    m.incrs.push(AofFile { name, seq, kind: FileKind::Incr });
                }
                _ => return Err("Unknown AOF file type".into()),
            }
        }
        Ok(m)
    }
}

/// A name with spaces, quotes or unprintable bytes is written quoted and escaped (Valkey's
/// `sdscatrepr`); plain names as they are.
fn repr_if_needed(name: &str) -> String {
    let plain = name.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
    if plain {
        return name.to_owned();
    }
    let mut out = String::from("\"");
    for b in name.bytes() {
        match b {
            b'\\' | b'"' => {
                out.push('\\');
                out.push(b as char);
            }
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b.is_ascii_graphic() || b == b' ' => out.push(b as char),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// Splits a line into words as Valkey's `sdssplitargs`: spaces separate, "double quotes" take
/// escapes. `None` for unbalanced quotes.
fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        let mut word = Vec::new();
        if line[i] == b'"' {
            i += 1;
            loop {
                match *line.get(i)? {
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\\' => {
                        let c = *line.get(i + 1)?;
                        i += 2;
                        match c {
                            b'n' => word.push(b'\n'),
                            b'r' => word.push(b'\r'),
                            b't' => word.push(b'\t'),
                            b'x' => {
                                let hex = std::str::from_utf8(line.get(i..i + 2)?).ok()?;
                                word.push(u8::from_str_radix(hex, 16).ok()?);
                                i += 2;
                            }
                            c => word.push(c),
                        }
                    }
                    c => {
                        word.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < line.len() && !line[i].is_ascii_whitespace() {
                word.push(line[i]);
                i += 1;
            }
        }
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_fresh_start_renders_valkeys_two_lines() {
        let mut m = Manifest::default();
        m.new_base("appendonly.aof", true);
        m.last_incr("appendonly.aof");
        assert_eq!(
            m.render(),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert_eq!(Manifest::parse(m.render().as_bytes()).unwrap(), m);
    }

    #[test]
    fn manifest_after_rewrite_keeps_only_newest_incr() {
        let mut m = Manifest::default();
        m.new_base("a.aof", true);
        m.new_incr("a.aof");
        m.new_incr("a.aof");
        m.new_base("a.aof", false);
        m.mark_rewritten_incrs_as_history();
        let text = m.render();
        assert_eq!(
            text,
            "file a.aof.2.base.aof seq 2 type b\nfile a.aof.1.base.rdb seq 1 type h\n\
             file a.aof.1.incr.aof seq 1 type h\nfile a.aof.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn manifest_quoted_name_round_trips() {
        let mut m = Manifest::default();
        m.new_base("my file.aof", true);
        assert!(m.render().starts_with("file \"my file.aof.1.base.rdb\" seq 1"));
        assert_eq!(Manifest::parse(m.render().as_bytes()).unwrap(), m);
    }

    #[test]
    fn manifest_without_final_newline_is_invalid() {
        assert!(Manifest::parse(b"file a.1.base.rdb seq 1 type b").is_err());
        assert!(Manifest::parse(b"file a.1.incr.aof seq 2 type i\nfile a.2.incr.aof seq 1 type i\n").is_err());
    }
}
