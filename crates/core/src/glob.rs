//! Glob-style pattern matching with the exact semantics of Valkey's `stringmatchlen`, used by KEYS,
//! SCAN/SSCAN/HSCAN/ZSCAN MATCH, PSUBSCRIBE, CONFIG GET and ACL key and channel patterns.
//!
//! Syntax: `*` any run of bytes, `?` one byte, `[abc]` one of a set, `[^abc]` anything else, `[a-z]` a
//! range (reversed ranges like `[z-a]` work too), `\x` a literal `x`. Valkey's parser has edges that
//! we reproduce on purpose:
//! - an unterminated class ends with the pattern: `[abc` is `[abc]`, `[^` matches any byte, and a lone
//!   `[` matches nothing;
//! - a range may swallow the closing bracket: `[a-]x` is the class of `]`..`a` and `x`;
//! - inside a class `\x` compares exactly even when matching without case;
//! - bytes from 0x80 up are signed chars in C, so they sort below ASCII in ranges: `[a-\xff]` holds
//!   0x00..=0x61 and 0xff only; without case, glibc's `tolower` turns them back into 128..=254 (but
//!   0xff stays -1), after the ends were ordered, so `[A-\x80]` becomes 128..=97 and holds nothing;
//! - case folding is ASCII-only (the C locale);
//! - an empty string matches only the empty pattern, not even `*` (KEYS and SCAN special-case a
//!   bare `*` before calling the matcher, so their callers should too).
//!
//! Valkey recurses once per `*`. When the rest of a pattern fails after a `*` at every later position,
//! it gives up on the whole match rather than letting earlier stars try longer runs (such runs could
//! only start the rest later still), and it fails any match that nests more than 1000 stars deep.
//! Because of that first rule only the most recent `*` ever backtracks, so we match iteratively with a
//! single saved position, never recursing, and give up at the same nesting limit.

/// Valkey stops at this many nested `*` recursions and reports no match.
const MAX_STAR_NESTING: usize = 1000;

/// Returns whether `string` matches the glob `pattern`, as Valkey's `stringmatchlen` decides it.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut stars_entered = 0;
    // The pattern after the latest `*` and the string position its next attempt starts from.
    let mut backtrack: Option<(usize, usize)> = None;
    let (mut p, mut s) = (0, 0);
    loop {
        match match_segment(pattern, p, string, s, nocase) {
            Segment::Matched => return true,
            Segment::Star { rest, at } => {
                stars_entered += 1;
                if stars_entered > MAX_STAR_NESTING {
                    // Every attempt at this depth would fail, and then so would the whole match.
                    return false;
                }
                backtrack = Some((rest, at));
                (p, s) = (rest, at);
            }
            Segment::Failed => {
                let Some((rest, at)) = backtrack else {
                    return false;
                };
                // The latest star tries every start that leaves at least one byte, then gives up.
                if at + 1 >= string.len() {
                    return false;
                }
                backtrack = Some((rest, at + 1));
                (p, s) = (rest, at + 1);
            }
        }
    }
}

/// How matching from one position ended: decided, or at a `*` that needs trying at each position.
enum Segment {
    Matched,
    Failed,
    /// A `*` that is not the last thing in the pattern: match `pattern[rest..]` from `string[at..]`,
    /// then from later positions.
    Star {
        rest: usize,
        at: usize,
    },
}

/// Matches `pattern[p..]` against `string[s..]` until the first `*` that needs backtracking.
fn match_segment(pattern: &[u8], mut p: usize, string: &[u8], mut s: usize, nocase: bool) -> Segment {
    // Valkey's pattern is a C string: reading just past the end yields the NUL terminator.
    let at = |i: usize| pattern.get(i).copied().unwrap_or(0);
    let same = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };

    while p < pattern.len() && s < string.len() {
        match pattern[p] {
            b'*' => {
                while p < pattern.len() && at(p + 1) == b'*' {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return Segment::Matched;
                }
                return Segment::Star { rest: p + 1, at: s };
            }
            b'?' => s += 1,
            b'[' => {
                let (matched, last) = match_class(pattern, p + 1, string[s], nocase);
                if !matched {
                    return Segment::Failed;
                }
                p = last;
                s += 1;
            }
            byte => {
                // A backslash escapes the next byte, unless it is the last byte of the pattern.
                let literal = if byte == b'\\' && p + 1 < pattern.len() {
                    p += 1;
                    pattern[p]
                } else {
                    byte
                };
                if !same(literal, string[s]) {
                    return Segment::Failed;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while at(p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    if p == pattern.len() && s == string.len() {
        Segment::Matched
    } else {
        Segment::Failed
    }
}

/// Tests `byte` against the class whose body starts at `pattern[p]` (just after `[`), returning
/// whether it matched and the index of the class's last pattern byte (its `]`, or the final byte of
/// the pattern when unterminated).
fn match_class(pattern: &[u8], mut p: usize, byte: u8, nocase: bool) -> (bool, usize) {
    let at = |i: usize| pattern.get(i).copied().unwrap_or(0);
    let negated = at(p) == b'^';
    if negated {
        p += 1;
    }
    let mut matched = false;
    loop {
        let remaining = pattern.len() - p;
        if at(p) == b'\\' && remaining >= 2 {
            p += 1;
            matched |= pattern[p] == byte;
        } else if at(p) == b']' {
            break;
        } else if remaining == 0 {
            // Unterminated: step back so the caller's advance lands exactly on the end.
            p -= 1;
            break;
        } else if remaining >= 3 && pattern[p + 1] == b'-' {
            matched |= in_range(pattern[p], pattern[p + 2], byte, nocase);
            p += 2;
        } else if nocase {
            matched |= pattern[p].eq_ignore_ascii_case(&byte);
        } else {
            matched |= pattern[p] == byte;
        }
        p += 1;
    }
    (matched != negated, p)
}

/// `[start-end]` as Valkey evaluates it: on signed chars, ends swapped if reversed, then lowercased.
fn in_range(start: u8, end: u8, byte: u8, nocase: bool) -> bool {
    let (mut low, mut high) = (signed_char(start), signed_char(end));
    if low > high {
        std::mem::swap(&mut low, &mut high);
    }
    let mut c = signed_char(byte);
    if nocase {
        (low, high, c) = (c_tolower(low), c_tolower(high), c_tolower(c));
    }
    (low..=high).contains(&c)
}

/// A byte as C's (signed) `char` promoted to `int`.
fn signed_char(byte: u8) -> i32 {
    i32::from(byte as i8)
}

/// glibc's `tolower` in the C locale, including what it does with negative `char`s: -128..=-2 map
/// to their unsigned values 128..=254, while -1 is `EOF` and stays -1.
fn c_tolower(value: i32) -> i32 {
    match value {
        65..=90 => value + 32,
        -128..=-2 => value + 256,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, string: &str) -> bool {
        glob_match(pattern.as_bytes(), string.as_bytes(), false)
    }

    #[test]
    fn glob_match_literals_and_wildcards() {
        assert!(matches("hello", "hello"));
        assert!(!matches("hello", "hell"));
        assert!(!matches("hell", "hello"));
        assert!(matches("h?llo", "hallo"));
        assert!(!matches("h?llo", "hllo"));
        assert!(matches("h*llo", "hllo"));
        assert!(matches("h*llo", "heeeello"));
        assert!(matches("*", "anything"));
        assert!(matches("**", "x"));
        assert!(matches("a*", "a"));
        assert!(matches("a**", "a"));
        assert!(matches("*a", "a"));
        assert!(matches("*a*b*", "xaxxbx"));
        assert!(!matches("*a*b*", "xbxxax"));
        assert!(matches("a*b*c", "abc"));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(!matches("a*b*c", "aXbYcZ"));
        assert!(matches("*.txt", "notes.txt"));
        assert!(!matches("*.txt", "notes.txt.bak"));
    }

    #[test]
    fn glob_match_keyspace_tcl_cases() {
        let keys = ["key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"];
        let found: Vec<_> = keys.iter().filter(|k| matches("foo*", k)).collect();
        assert_eq!(found, [&"foo_a", &"foo_b", &"foo_c"]);
        assert!(keys.iter().all(|k| matches("*", k)));
        for key in ["{a}x", "{a}y", "{a}z"] {
            assert!(matches("{a}*", key));
            assert!(!matches("*{b}*", key));
        }
        for key in ["{b}a", "{b}b", "{b}c"] {
            assert!(matches("*{b}*", key));
            assert!(!matches("{a}*", key));
        }
        assert!(matches("*", "dlskeriewrioeuwqoirueioqwrueoqwrueqw"));
    }

    #[test]
    fn glob_match_empty_string_needs_a_pattern_that_reads_nothing() {
        assert!(matches("", ""));
        assert!(!matches("*", ""));
        assert!(!matches("**", ""));
        assert!(!matches("?", ""));
        assert!(!matches("", "a"));
    }

    #[test]
    fn glob_match_classes_sets_ranges_and_negation() {
        assert!(matches("h[ae]llo", "hallo"));
        assert!(matches("h[ae]llo", "hello"));
        assert!(!matches("h[ae]llo", "hillo"));
        assert!(matches("h[^e]llo", "hallo"));
        assert!(!matches("h[^e]llo", "hello"));
        assert!(matches("h[a-b]llo", "hbllo"));
        assert!(!matches("h[a-b]llo", "hcllo"));
        assert!(matches("h[b-a]llo", "hallo"), "reversed ranges are swapped");
        assert!(matches("[0-9][0-9]", "42"));
        assert!(!matches("[]", "]"), "an empty class matches nothing");
        assert!(!matches("[]]", "]"));
        assert!(matches("[-a]", "-"));
        assert!(matches("[a-c-]", "-"), "a '-' right before ']' or the end is literal");
    }

    #[test]
    fn glob_match_unterminated_class_ends_with_pattern() {
        assert!(matches("[abc", "b"));
        assert!(!matches("[abc", "d"));
        assert!(!matches("[abc", "bb"));
        assert!(matches("[^", "z"), "an empty negated class matches any byte");
        assert!(!matches("[^", ""));
        assert!(!matches("[", "["));
        assert!(!matches("[", ""));
        assert!(!matches("a[", "a"));
        assert!(!matches("a[", "ab"));
        assert!(matches("[a-", "-"));
        assert!(matches("[a\\", "\\"));
    }

    #[test]
    fn glob_match_range_can_swallow_closing_bracket() {
        // "[a-]" is the range ']'..='a' (swapped), and the class runs on to the next ']' or the end.
        assert!(matches("[a-]", "^"));
        assert!(matches("[a-]", "]"));
        assert!(!matches("[a-]", "-"));
        assert!(!matches("[a-]", "b"));
        // "[a-]x]" is one class: ']'..='a' and 'x'.
        assert!(matches("[a-]x]", "x"));
        assert!(matches("[a-]x]", "_"));
        assert!(!matches("[a-]x]", "^]"));
        assert!(!matches("[a-]x]", "b"));
    }

    #[test]
    fn glob_match_escapes_are_literal() {
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert!(matches("a\\?b", "a?b"));
        assert!(!matches("a\\?b", "axb"));
        assert!(matches("\\[a]", "[a]"));
        assert!(matches("[\\]]", "]"));
        assert!(matches("[\\-]", "-"));
        assert!(matches("[a\\-z]", "-"));
        assert!(!matches("[a\\-z]", "m"));
        assert!(matches("\\", "\\"), "a trailing backslash is itself");
        assert!(matches("a\\", "a\\"));
    }

    #[test]
    fn glob_match_nocase_folds_ascii_only() {
        assert!(glob_match(b"HeLLo", b"hello", true));
        assert!(!glob_match(b"HeLLo", b"hello", false));
        assert!(glob_match(b"h[A-Z]llo", b"hello", true));
        assert!(glob_match(b"h[E]llo", b"hello", true));
        assert!(glob_match(b"h[^E]llo", b"hallo", true));
        assert!(!glob_match(b"h[^E]llo", b"hello", true));
        assert!(glob_match("É".as_bytes(), "É".as_bytes(), true));
        assert!(!glob_match("É".as_bytes(), "é".as_bytes(), true));
        // '[' sits between 'Z' and 'a': in [A-z] without case, but not once the range is lowercased.
        assert!(glob_match(b"[A-z]", b"[", false));
        assert!(!glob_match(b"[A-z]", b"[", true));
        // An escaped byte inside a class compares exactly even without case.
        assert!(!glob_match(b"[\\A]", b"a", true));
        assert!(glob_match(b"\\A", b"a", true));
    }

    #[test]
    fn glob_match_high_bytes_are_signed_in_ranges() {
        assert!(glob_match(b"[a-\xff]", b"\xff", false));
        assert!(glob_match(b"[a-\xff]", b"\x00", false));
        assert!(glob_match(b"[a-\xff]", b"a", false));
        assert!(!glob_match(b"[a-\xff]", b"b", false));
        assert!(!glob_match(b"[a-\xff]", b"\x80", false));
        assert!(glob_match(b"[\x80-\x90]", b"\x85", false));
        // Ordered as -128..=65, then lowered to 128..=97 when ignoring case: an empty range.
        assert!(glob_match(b"[A-\x80]", b"\x00", false));
        assert!(glob_match(b"[A-\x80]", b"\x80", false));
        for byte in [0x00, b'A', b'a', 0x7f, 0x80] {
            assert!(!glob_match(b"[A-\x80]", &[byte], true), "{byte:#x}");
        }
        // High-only ranges survive lowering; 0xff (EOF, -1) is never remapped.
        assert!(glob_match(b"[\x80-\x90]", b"\x85", true));
        assert!(glob_match(b"[\xff-a]", b"\xff", true));
        assert!(glob_match(b"[\xff-a]", b"A", true));
        assert!(!glob_match(b"[\xff-a]", b"\x80", true));
        assert!(glob_match(b"\xe9*", b"\xe9t\xe9", false));
    }

    #[test]
    fn glob_match_binary_bytes_compare_exactly() {
        assert!(glob_match(b"a\0b", b"a\0b", false));
        assert!(!glob_match(b"a\0b", b"a\0c", false));
        assert!(glob_match(b"a?b", b"a\0b", false));
        assert!(glob_match(b"*\0", b"xyz\0", false));
    }

    #[test]
    fn glob_match_long_nested_stars_fail_fast() {
        // tests/unit/keyspace.tcl: "Regression for pattern matching long nested loops".
        let key = "a".repeat(40);
        assert!(!matches(&format!("{}b", "a*".repeat(20)), &key));
        // "... very long nested loops": no stack overflow, and no match past the nesting limit.
        let key = "a".repeat(50_000);
        assert!(!matches(&"*?".repeat(50_000), &key));
    }

    #[test]
    fn glob_match_nesting_limit_is_valkeys() {
        // 1000 nested stars still match; the 1001st makes Valkey give up.
        let string = "a".repeat(2000);
        assert!(matches(&"*a".repeat(1000), &string));
        assert!(!matches(&"*a".repeat(1001), &string));
        assert!(matches(&format!("{}*", "*a".repeat(1000)), &string));
    }

    #[test]
    fn glob_match_only_latest_star_backtracks() {
        // True glob semantics agree here; the skip rule never changes an answer for these.
        assert!(matches("*ab*cd", "xxabyyabzzcd"));
        assert!(matches("*a?c", "abcabc"));
        assert!(!matches("*a*a*a*b", &"a".repeat(30)));
    }
}
