//! `Args`: a small cursor over a command's arguments. Arity was checked before the handler runs, so the
//! mandatory arguments are there; the helpers turn malformed values into Valkey's errors.

use crate::error::CommandError;
use crate::num::{parse_f64, parse_i64};

pub struct Args {
    argv: Vec<Vec<u8>>,
    /// Index of the next argument to read (1: right after the command name).
    pos: usize,
    /// `next_owned` copies instead of moving, so `argv()` still shows every argument afterwards.
    keep: bool,
}

impl Args {
    /// Starts after the command name, or after `skip` leading words (2 for a subcommand).
    pub fn new(argv: Vec<Vec<u8>>, skip: usize) -> Args {
        Args { argv, pos: skip, keep: false }
    }

    /// Keep every argument readable after the handler ran (MONITOR, SLOWLOG), at the cost of copying
    /// the values a handler stores.
    pub fn keep_original(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// All arguments, the command name at 0.
    pub fn argv(&self) -> &[Vec<u8>] {
        &self.argv
    }

    pub fn into_argv(self) -> Vec<Vec<u8>> {
        self.argv
    }

    /// The arguments not read yet.
    pub fn rest(&self) -> &[Vec<u8>] {
        &self.argv[self.pos.min(self.argv.len())..]
    }

    pub fn remaining(&self) -> usize {
        self.argv.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// The command name as the client sent it.
    pub fn name(&self) -> &[u8] {
        &self.argv[0]
    }

    pub fn peek(&self) -> Option<&[u8]> {
        self.argv.get(self.pos).map(|a| a.as_slice())
    }

    /// The next argument, borrowed; a syntax error if there is none. (Not an iterator: running out of
    /// arguments is an error.)
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<&[u8], CommandError> {
        let a = self.argv.get(self.pos).ok_or(CommandError::Syntax)?;
        self.pos += 1;
        Ok(a)
    }

    /// The next argument, moved out (for values that are stored).
    pub fn next_owned(&mut self) -> Result<Vec<u8>, CommandError> {
        let a = self.argv.get_mut(self.pos).ok_or(CommandError::Syntax)?;
        self.pos += 1;
        Ok(if self.keep { a.clone() } else { std::mem::take(a) })
    }

    /// The next argument, as an integer.
    pub fn next_i64(&mut self) -> Result<i64, CommandError> {
        parse_i64(self.next()?).ok_or(CommandError::NotInteger)
    }

    /// The next argument, as a double (inf and -inf accepted).
    pub fn next_f64(&mut self) -> Result<f64, CommandError> {
        parse_f64(self.next()?).ok_or(CommandError::NotFloat)
    }

    /// True (and consumed) when the next argument is `word`, any case.
    pub fn eat(&mut self, word: &str) -> bool {
        if self.peek().is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes())) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A syntax error if anything is left.
    pub fn finish(&self) -> Result<(), CommandError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(CommandError::Syntax)
        }
    }
}

/// `a` equals `word` ignoring ASCII case: option names are matched this way everywhere.
pub fn is(a: &[u8], word: &str) -> bool {
    a.eq_ignore_ascii_case(word.as_bytes())
}
