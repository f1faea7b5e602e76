//! A command's arguments, as COMMAND DOCS describes them, from the compact syntax string on its row
//! (`CommandSpec::syntax`). The string is parsed only when COMMAND DOCS runs.
//!
//! # The notation
//! Items are separated by spaces:
//!
//! * `value`: a string argument; `count:integer` gives its type (`integer`, `double`, `pattern`,
//!   `unix-time`, `key`; `key1`, `key2` ... are keys of the second, third ... key spec); `name{text}`
//!   adds a display text that differs from the name (`addr{ip:port}`).
//! * `NX`: a pure token named by its lower-case spelling; `TOKEN=name:token` when the name differs or
//!   the token has lower-case letters (`~=approximately:token`, `km=km:token`).
//! * `TOKEN=item` puts a token before an argument or a group (`EX=seconds:integer`, `LIMIT=[limit; ...]`).
//! * Groups: `{name: a | b}` is one of the alternatives, `(name; a b)` a block of arguments in order;
//!   square brackets, `[name: a | b]` and `[name; a b]`, make the group optional. `[item]` makes one
//!   argument optional.
//! * Suffixes after an item: `@6.2.0` the version that added it, `...` it repeats, `+...` it repeats
//!   with its token (`GET=pattern+...`: `GET a GET b`).

use crate::reply::Reply;

/// One argument (or group of arguments) of a command.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    pub kind: ArgKind,
    pub display: Option<&'static str>,
    /// For `key` arguments: which key spec of the command describes it.
    pub key_spec_index: Option<u32>,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    /// The alternatives of a `oneof`, the parts of a `block`.
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgKind {
    /// The name COMMAND DOCS reports.
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Double => "double",
            ArgKind::Key => "key",
            ArgKind::Pattern => "pattern",
            ArgKind::UnixTime => "unix-time",
            ArgKind::PureToken => "pure-token",
            ArgKind::OneOf => "oneof",
            ArgKind::Block => "block",
        }
    }
}

/// Where a syntax string is malformed (a test parses every row's string).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad command syntax at byte {at}: {what}")]
pub struct SyntaxError {
    pub at: usize,
    pub what: &'static str,
}

/// The arguments a syntax string describes.
pub fn parse(syntax: &'static str) -> Result<Vec<Arg>, SyntaxError> {
    let mut p = Parser { s: syntax, at: 0 };
    let args = p.items(None)?;
    p.skip_spaces();
    if p.at < syntax.len() {
        return Err(p.error("unexpected closing bracket"));
    }
    Ok(args)
}

struct Parser {
    s: &'static str,
    at: usize,
}

impl Parser {
    fn error(&self, what: &'static str) -> SyntaxError {
        SyntaxError { at: self.at, what }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// Items up to `close` (or the end); for a group, also whether `|` separated them.
    fn items(&mut self, close: Option<u8>) -> Result<Vec<Arg>, SyntaxError> {
        let mut out = Vec::new();
        loop {
            self.skip_spaces();
            match self.peek() {
                None if close.is_none() => return Ok(out),
                None => return Err(self.error("unclosed group")),
                Some(c) if Some(c) == close => return Ok(out),
                Some(b']' | b')' | b'}') if close.is_none() => return Ok(out),
                Some(b'|') => self.at += 1,
                Some(_) => out.push(self.item()?),
            }
        }
    }

    fn item(&mut self) -> Result<Arg, SyntaxError> {
        let token = self.token_prefix();
        let mut arg = match self.peek() {
            Some(open @ (b'[' | b'(' | b'{')) => self.group(open)?,
            _ => self.word()?,
        };
        if token.is_some() {
            arg.token = token;
        }
        self.suffixes(&mut arg);
        Ok(arg)
    }

    /// `TOKEN=` before an item: the text before the first `=` that is not followed by another `=`
    /// (so the token `=` itself reads `==name:token`), within the item's first word.
    fn token_prefix(&mut self) -> Option<&'static str> {
        let rest = &self.s.as_bytes()[self.at..];
        let mut i = 0;
        while i < rest.len() && !b" {[(|])}".contains(&rest[i]) {
            if rest[i] == b'=' && rest.get(i + 1) != Some(&b'=') {
                let token = &self.s[self.at..self.at + i];
                self.at += i + 1;
                return Some(token);
            }
            i += 1;
        }
        None
    }

    fn group(&mut self, open: u8) -> Result<Arg, SyntaxError> {
        let close = match open {
            b'[' => b']',
            b'(' => b')',
            _ => b'}',
        };
        self.at += 1;
        let rest = &self.s[self.at..];
        let header_end = rest.find([' ', ']', ')', '}']).unwrap_or(rest.len());
        let header = &rest[..header_end];
        let (name, kind) = match header.as_bytes().last() {
            Some(b':') => (&header[..header.len() - 1], ArgKind::OneOf),
            Some(b';') => (&header[..header.len() - 1], ArgKind::Block),
            _ if open == b'[' => {
                // `[item]`: one optional argument.
                let mut arg = self.item()?;
                self.skip_spaces();
                if self.peek() != Some(b']') {
                    return Err(self.error("an optional item without a group name holds one argument"));
                }
                self.at += 1;
                arg.optional = true;
                return Ok(arg);
            }
            _ => return Err(self.error("a group starts with `name:` (one of) or `name;` (block)")),
        };
        let name = name.to_owned();
        self.at += header_end;
        let args = self.items(Some(close))?;
        self.at += 1;
        if (open == b'{') != (kind == ArgKind::OneOf) && open != b'[' {
            return Err(self.error("`{}` holds alternatives, `()` a block"));
        }
        Ok(Arg { optional: open == b'[', args, ..Arg::new(name, kind) })
    }

    /// `name{display}:type`, or a bare upper-case pure token.
    fn word(&mut self) -> Result<Arg, SyntaxError> {
        let name = self.take_while(|c| !b" {:@|])}".contains(&c) && c != b'.' && c != b'+');
        if name.is_empty() {
            return Err(self.error("empty argument"));
        }
        let display = if self.peek() == Some(b'{') {
            let end = self.s[self.at..].find('}').ok_or(self.error("unclosed display text"))?;
            let text = &self.s[self.at + 1..self.at + end];
            self.at += end + 1;
            Some(text)
        } else {
            None
        };
        let type_text = if self.peek() == Some(b':') {
            self.at += 1;
            self.take_while(|c| c.is_ascii_alphanumeric() || c == b'-')
        } else {
            ""
        };
        let bare_token = type_text.is_empty()
            && display.is_none()
            && name.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-' || c == b'_');
        if bare_token {
            return Ok(Arg { token: Some(name), ..Arg::new(name.to_ascii_lowercase(), ArgKind::PureToken) });
        }
        let (kind, key_spec_index) = match type_text {
            "" => (ArgKind::String, None),
            "integer" => (ArgKind::Integer, None),
            "double" => (ArgKind::Double, None),
            "pattern" => (ArgKind::Pattern, None),
            "unix-time" => (ArgKind::UnixTime, None),
            "token" => (ArgKind::PureToken, None),
            "key" => (ArgKind::Key, Some(0)),
            t => match t.strip_prefix("key").and_then(|n| n.parse().ok()) {
                Some(n) => (ArgKind::Key, Some(n)),
                None => return Err(self.error("unknown argument type")),
            },
        };
        Ok(Arg { display, key_spec_index, ..Arg::new(name.to_owned(), kind) })
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'static str {
        let start = self.at;
        while self.peek().is_some_and(&keep) {
            self.at += 1;
        }
        &self.s[start..self.at]
    }

    /// `@version` (digits and single dots), then `...` or `+...`.
    fn suffixes(&mut self, arg: &mut Arg) {
        if self.peek() == Some(b'@') {
            self.at += 1;
            let start = self.at;
            let bytes = self.s.as_bytes();
            while let Some(c) = self.peek() {
                let version_dot = c == b'.' && bytes.get(self.at + 1).is_some_and(u8::is_ascii_digit);
                if !(c.is_ascii_digit() || version_dot) {
                    break;
                }
                self.at += 1;
            }
            arg.since = Some(&self.s[start..self.at]);
        }
        if self.s[self.at..].starts_with("+...") {
            arg.multiple = true;
            arg.multiple_token = true;
            self.at += 4;
        } else if self.s[self.at..].starts_with("...") {
            arg.multiple = true;
            self.at += 3;
        }
    }
}

impl Arg {
    fn new(name: String, kind: ArgKind) -> Arg {
        Arg {
            name,
            kind,
            display: None,
            key_spec_index: None,
            token: None,
            since: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            args: Vec::new(),
        }
    }
}

/// COMMAND DOCS's `arguments`: one map per argument, with Valkey 8's fields in its order.
pub fn docs_reply(args: &[Arg]) -> Reply {
    Reply::Array(args.iter().map(arg_reply).collect())
}

fn arg_reply(arg: &Arg) -> Reply {
    let mut map =
        vec![(Reply::bulk("name"), Reply::bulk(arg.name.clone())), (Reply::bulk("type"), Reply::bulk(arg.kind.name()))];
    let group = matches!(arg.kind, ArgKind::OneOf | ArgKind::Block);
    if !group {
        map.push((Reply::bulk("display_text"), Reply::bulk(arg.display.unwrap_or(&arg.name).to_owned())));
    }
    if let Some(i) = arg.key_spec_index {
        map.push((Reply::bulk("key_spec_index"), Reply::Int(i64::from(i))));
    }
    if let Some(token) = arg.token {
        map.push((Reply::bulk("token"), Reply::bulk(token)));
    }
    if let Some(since) = arg.since {
        map.push((Reply::bulk("since"), Reply::bulk(since)));
    }
    let flags: Vec<Reply> =
        [(arg.optional, "optional"), (arg.multiple, "multiple"), (arg.multiple_token, "multiple_token")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| Reply::Status(name.into()))
            .collect();
    if !flags.is_empty() {
        map.push((Reply::bulk("flags"), Reply::Set(flags)));
    }
    if group {
        map.push((Reply::bulk("arguments"), docs_reply(&arg.args)));
    }
    Reply::Map(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_set_parses_into_valkeys_argument_tree() {
        let args = parse(
            "key:key value [condition: NX | XX]@2.6.12 [GET@6.2.0] [expiration: EX=seconds:integer@2.6.12 | \
             KEEPTTL@6.0.0]",
        )
        .unwrap();
        assert_eq!(args.len(), 5);
        assert_eq!((args[0].name.as_str(), args[0].kind, args[0].key_spec_index), ("key", ArgKind::Key, Some(0)));
        assert_eq!((args[1].name.as_str(), args[1].kind), ("value", ArgKind::String));
        let condition = &args[2];
        assert_eq!((condition.name.as_str(), condition.kind, condition.optional), ("condition", ArgKind::OneOf, true));
        assert_eq!(condition.since, Some("2.6.12"));
        assert_eq!(
            condition.args.iter().map(|a| (a.name.as_str(), a.token)).collect::<Vec<_>>(),
            [("nx", Some("NX")), ("xx", Some("XX"))]
        );
        assert_eq!(
            (args[3].name.as_str(), args[3].token, args[3].optional, args[3].since),
            ("get", Some("GET"), true, Some("6.2.0"))
        );
        let ex = &args[4].args[0];
        assert_eq!(
            (ex.name.as_str(), ex.kind, ex.token, ex.since),
            ("seconds", ArgKind::Integer, Some("EX"), Some("2.6.12"))
        );
        assert_eq!((args[4].args[1].name.as_str(), args[4].args[1].since), ("keepttl", Some("6.0.0")));
    }

    #[test]
    fn syntax_tokens_displays_blocks_and_repeats_parse() {
        let args = parse(
            "[operator: ==equal:token | ~=approximately:token] (data; score:double member)... \
             [GET=get-pattern{pattern}:pattern+...] LIMIT=[limit; offset:integer count:integer] \
             {filter: old-format{ip:port} | TYPE=[client-type: normal=normal:token]@2.8.12} [STORE=destination:key2]",
        )
        .unwrap();
        assert_eq!(
            args[0].args.iter().map(|a| (a.name.as_str(), a.token)).collect::<Vec<_>>(),
            [("equal", Some("=")), ("approximately", Some("~"))]
        );
        assert_eq!((args[1].kind, args[1].multiple, args[1].optional), (ArgKind::Block, true, false));
        assert_eq!(args[1].args[0].kind, ArgKind::Double);
        let get = &args[2];
        assert_eq!(
            (get.name.as_str(), get.display, get.token, get.multiple_token),
            ("get-pattern", Some("pattern"), Some("GET"), true)
        );
        assert_eq!(
            (args[3].name.as_str(), args[3].token, args[3].kind, args[3].optional),
            ("limit", Some("LIMIT"), ArgKind::Block, true)
        );
        let filter = &args[4];
        assert_eq!((filter.kind, filter.optional), (ArgKind::OneOf, false));
        assert_eq!((filter.args[0].name.as_str(), filter.args[0].display), ("old-format", Some("ip:port")));
        assert_eq!(
            (filter.args[1].name.as_str(), filter.args[1].token, filter.args[1].since),
            ("client-type", Some("TYPE"), Some("2.8.12"))
        );
        assert_eq!(args[5].key_spec_index, Some(2));
    }

    #[test]
    fn syntax_every_row_parses_and_every_command_with_arguments_has_one() {
        let mut specs: Vec<&'static crate::command::CommandSpec> = Vec::new();
        for spec in crate::commands::all() {
            specs.push(spec);
            specs.extend(spec.subcommands.iter());
        }
        let mut missing = Vec::new();
        for spec in specs {
            if let Err(e) = parse(spec.syntax) {
                panic!("{}: {e} in {:?}", spec.name, spec.syntax);
            }
            let words = if spec.is_subcommand() { 2 } else { 1 };
            let takes_arguments = spec.arity > words || spec.arity < -words;
            // DEBUG's arguments are undocumented in Valkey's own table too.
            if takes_arguments && spec.syntax.is_empty() && spec.handler.is_some() && spec.name != "debug" {
                missing.push(spec.name);
            }
        }
        assert!(missing.is_empty(), "commands without a syntax string: {missing:?}");
    }

    #[test]
    fn syntax_errors_are_reported_not_panicked() {
        assert!(parse("[condition NX | XX]").is_err());
        assert!(parse("{x: a").is_err());
        assert!(parse("count:float").is_err());
        assert!(parse("a ]").is_err());
    }
}
