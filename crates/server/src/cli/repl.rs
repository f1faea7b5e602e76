//! The read-eval-print loop: a prompt with line editing and history when stdin is a terminal, or one
//! command per line from a pipe. Lines are split with sdssplitargs' quoting rules; `3 incr k` repeats.

use std::io::{self, BufRead, IsTerminal};
use std::time::Instant;

use ferrokey_core::resp::split_args;
use rustyline::config::Config;
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use super::format::OutputMode;
use super::history::{history_path, is_sensitive, History, HISTORY_MAX_LEN};
use super::session::{emit, Session};

/// Where lines come from.
enum Input {
    Terminal { editor: Box<DefaultEditor>, history: History, path: Option<std::path::PathBuf> },
    Pipe(io::StdinLock<'static>),
}

impl Input {
    fn open() -> Input {
        if io::stdin().is_terminal() {
            let config = Config::builder()
                .auto_add_history(false)
                .max_history_size(HISTORY_MAX_LEN)
                .map(|b| b.build())
                .unwrap_or_default();
            if let Ok(mut editor) = DefaultEditor::with_config(config) {
                let path = history_path();
                let history = path.as_deref().map(History::load).unwrap_or_default();
                for line in history.entries() {
                    let _ = editor.add_history_entry(line);
                }
                return Input::Terminal { editor: Box::new(editor), history, path };
            }
        }
        Input::Pipe(io::stdin().lock())
    }

    /// The next line without its newline; `None` at end of input, Ctrl-C or Ctrl-D.
    fn read_line(&mut self, prompt: &str) -> Option<Vec<u8>> {
        match self {
            Input::Terminal { editor, .. } => match editor.readline(prompt) {
                Ok(line) => Some(line.into_bytes()),
                Err(ReadlineError::Interrupted | ReadlineError::Eof) => None,
                Err(_) => None,
            },
            Input::Pipe(stdin) => {
                // As linenoise without a terminal: no prompt, the line up to '\n' or the end.
                let mut line = Vec::new();
                match stdin.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        Some(line)
                    }
                }
            }
        }
    }

    /// Remembers a line (on disk too unless it carries a secret). Pipes keep no history.
    fn remember(&mut self, line: &[u8], sensitive: bool) {
        if let Input::Terminal { editor, history, path } = self {
            let line = String::from_utf8_lossy(line);
            if history.add(&line, sensitive) {
                let _ = editor.add_history_entry(line.as_ref());
            }
            if let (Some(path), false) = (path.as_deref(), sensitive) {
                let _ = history.save(path);
            }
        }
    }

    fn clear_screen(&mut self) {
        match self {
            Input::Terminal { editor, .. } => {
                let _ = editor.clear_screen();
            }
            Input::Pipe(_) => emit(b"\x1b[H\x1b[2J"),
        }
    }
}

/// A leading repeat count (`3 ping`): `None` when the first word is not a number, `Some(Err)` when it
/// is one but not a usable count. Read as `strtol` reads, so an empty word counts as an invalid 0.
fn repeat_count(word: &[u8]) -> Option<Result<i64, ()>> {
    let text = std::str::from_utf8(word).ok()?;
    let t = text.trim_start();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !text.is_empty() && (digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    match t.parse::<i64>() {
        Ok(n) if n > 0 => Some(Ok(n)),
        _ => Some(Err(())),
    }
}

/// Runs the loop until `quit`, `exit` or the end of input; returns the exit status.
pub fn run(session: &mut Session) -> i32 {
    let mut input = Input::open();
    loop {
        let Some(line) = input.read_line(&session.prompt()) else {
            // Ctrl-C or Ctrl-D while subscribed leaves subscribed mode instead of the CLI.
            if session.pubsub_mode && session.leave_pubsub() {
                continue;
            }
            return 0;
        };
        if !line.is_empty() {
            match run_line(session, &mut input, &line) {
                Flow::Quit => return 0,
                Flow::Next => continue,
                Flow::Done => {}
            }
        }
        if session.pubsub_mode {
            session.wait_for_messages_or_stdin();
        }
    }
}

enum Flow {
    /// `quit` / `exit`.
    Quit,
    /// Nothing was sent: straight back to the prompt.
    Next,
    /// A command ran (subscribed mode then waits for messages).
    Done,
}

fn run_line(session: &mut Session, input: &mut Input, line: &[u8]) -> Flow {
    let Some(argv) = split_args(line) else {
        emit(b"Invalid argument(s)\n");
        input.remember(line, false);
        return Flow::Next;
    };
    if argv.is_empty() {
        return Flow::Next;
    }
    let (repeat, skip) = match repeat_count(&argv[0]) {
        Some(Ok(n)) if argv.len() > 1 => (n, 1),
        Some(Err(())) if argv.len() > 1 => {
            emit(b"Invalid ferrokey-cli repeat command option value.\n");
            return Flow::Next;
        }
        _ => (1, 0),
    };
    let command = &argv[skip..];
    input.remember(line, is_sensitive(command));

    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    match name.as_str() {
        "quit" | "exit" => return Flow::Quit,
        _ if name.starts_with(':') => {
            set_preference(&argv);
            return Flow::Next;
        }
        "restart" => emit(b"Use 'restart' only in Lua debugging mode.\n"),
        "connect" if argv.len() == 3 => {
            let host = String::from_utf8_lossy(&argv[1]).into_owned();
            session.set_address(host, super::uri::atoi(&String::from_utf8_lossy(&argv[2])));
            session.connect(true, false);
        }
        "clear" if argv.len() == 1 => input.clear_screen(),
        _ => {
            let started = Instant::now();
            session.issue_command(command, repeat);
            let elapsed = started.elapsed();
            if elapsed >= Session::SLOW_COMMAND && session.opts.output == OutputMode::Human {
                emit(format!("({:.2}s)\n", elapsed.as_secs_f64()).as_bytes());
            }
        }
    }
    Flow::Done
}

/// `:set hints` and `:set nohints` are accepted (there are no hints to show yet).
fn set_preference(argv: &[Vec<u8>]) {
    let word = |i: usize| String::from_utf8_lossy(&argv[i]).into_owned();
    if argv[0].eq_ignore_ascii_case(b":set") && argv.len() >= 2 {
        if !(argv[1].eq_ignore_ascii_case(b"hints") || argv[1].eq_ignore_ascii_case(b"nohints")) {
            emit(format!("unknown ferrokey-cli preference '{}'\n", word(1)).as_bytes());
        }
    } else {
        emit(format!("unknown ferrokey-cli internal command '{}'\n", word(0)).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_count_reads_like_strtol() {
        assert_eq!(repeat_count(b"3"), Some(Ok(3)));
        assert_eq!(repeat_count(b"+3"), Some(Ok(3)));
        assert_eq!(repeat_count(b"0"), Some(Err(())));
        assert_eq!(repeat_count(b"-1"), Some(Err(())));
        assert_eq!(repeat_count(b""), Some(Err(())), "an empty word reads as 0");
        assert_eq!(repeat_count(b"99999999999999999999"), Some(Err(())));
        assert_eq!(repeat_count(b"ping"), None);
        assert_eq!(repeat_count(b"3x"), None);
        assert_eq!(repeat_count(b"+"), None);
    }
}
