//! Start-up arguments and config files, read the way valkey-server's `main()` and
//! `loadServerConfig()` read them: `ferrokey-server [config-file] [--name value ...] [-]`.
//!
//! The command-line options become config-file text (`--port 6380` is the line `port "6380"`),
//! appended after the file and standard input, and the whole text is parsed line by line. That is
//! why a bad option is reported "at line 2" of "the configuration file", exactly as Valkey does.
//!
//! Nothing here changes the process: `dir` is resolved and checked but not entered (the caller
//! does `std::env::set_current_dir(&options.config.dir)`), and directives that need the rest of
//! the server (`rename-command`, `user`, `loadmodule`, module configs) are collected in
//! [`ServerOptions`] for the caller to apply.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ferrokey_core::config::{find_param, split_args, Config};
use ferrokey_core::glob::glob_match;

/// The Valkey release ferrokey follows; it appears in the fatal config error banner.
pub const VALKEY_VERSION: &str = "8.0.1";

/// Includes deeper than this are a loop (Valkey would recurse until it crashes).
const MAX_INCLUDE_DEPTH: usize = 32;

/// Everything start-up produced: the configuration and what only the server can act on.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Every parameter, with `dir` absolute (the directory to enter before anything else).
    pub config: Config,
    /// The config file named on the command line, made absolute as Valkey does (kept for
    /// CONFIG REWRITE and the `{config-file}` process title).
    pub config_file: Option<PathBuf>,
    /// Part of the configuration came from standard input (`-`).
    pub config_from_stdin: bool,
    /// `rename-command <old> <new>` lines, in order; an empty new name removes the command.
    pub renamed_commands: Vec<(Vec<u8>, Vec<u8>)>,
    /// `user <name> <rules...>` lines: the name followed by its rules.
    pub users: Vec<Vec<Vec<u8>>>,
    /// `loadmodule <path> <args...>` lines.
    pub modules: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// `<module>.<name> <value...>` lines (values joined with single spaces), in order.
    pub module_configs: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Where the text of a [`StartupError`] goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitOutput {
    /// Printed as is on standard output.
    Stdout(String),
    /// Printed as is on standard error.
    Stderr(String),
    /// A warning through the server log (Valkey logs these rather than printing them).
    LogWarning(String),
}

/// Start-up ends here: what to print and the exit code. `--version` ends this way too, with
/// exit code 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupError {
    pub output: ExitOutput,
    pub exit_code: i32,
}

impl StartupError {
    /// Prints the text where Valkey would.
    pub fn print(&self) {
        use std::io::Write;
        match &self.output {
            ExitOutput::Stdout(text) => {
                let _ = io::stdout().write_all(text.as_bytes());
            }
            ExitOutput::Stderr(text) => {
                let _ = io::stderr().write_all(text.as_bytes());
            }
            ExitOutput::LogWarning(msg) => crate::log::log(crate::log::Level::Warning, msg),
        }
    }

    fn stderr(text: String) -> StartupError {
        StartupError { output: ExitOutput::Stderr(text), exit_code: 1 }
    }

    fn cannot_open_config(path: &str, err: &io::Error) -> StartupError {
        let msg = format!("Fatal error, can't open config file '{path}': {}", strerror(err));
        StartupError { output: ExitOutput::LogWarning(msg), exit_code: 1 }
    }

    /// Valkey's banner; `line` is the line number and the offending (trimmed) line, when the
    /// error belongs to one.
    fn fatal_config(line: Option<(usize, &[u8])>, msg: &str) -> StartupError {
        let mut text = format!("\n*** FATAL CONFIG FILE ERROR (Version {VALKEY_VERSION}) ***\n");
        if let Some((number, line)) = line {
            text.push_str(&format!(
                "Reading the configuration file, at line {number}\n>>> '{}'\n",
                String::from_utf8_lossy(line)
            ));
        }
        text.push_str(msg);
        text.push('\n');
        StartupError::stderr(text)
    }
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.output {
            ExitOutput::Stdout(text) | ExitOutput::Stderr(text) => f.write_str(text.trim()),
            ExitOutput::LogWarning(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for StartupError {}

/// The environment variable whose text (config-file lines) is read before the config file and the
/// options: it changes the built-in defaults. The container image sets `protected-mode no` here,
/// as the official Valkey image builds its server with that default, so other containers can
/// connect without a config file; a config file or `--protected-mode yes` still wins.
pub const DEFAULTS_ENV: &str = "FERROKEY_DEFAULTS";

/// Parses `argv` (program name first), reading [`DEFAULTS_ENV`], the config file, includes and
/// standard input.
pub fn parse_args(argv: &[String]) -> Result<ServerOptions, StartupError> {
    let cwd = std::env::current_dir().map_err(|e| StartupError::stderr(format!("getcwd: {e}\n")))?;
    let defaults = std::env::var(DEFAULTS_ENV).unwrap_or_default();
    parse_args_with_defaults(argv, defaults.as_bytes(), &mut io::stdin(), &cwd)
}

/// [`parse_args`] with standard input and the working directory given, and no defaults from the
/// environment, for tests.
pub fn parse_args_with(argv: &[String], stdin: &mut dyn Read, cwd: &Path) -> Result<ServerOptions, StartupError> {
    parse_args_with_defaults(argv, b"", stdin, cwd)
}

/// [`parse_args_with`], with `defaults` (config-file text) applied first, as [`DEFAULTS_ENV`] is.
pub fn parse_args_with_defaults(
    argv: &[String],
    defaults: &[u8],
    stdin: &mut dyn Read,
    cwd: &Path,
) -> Result<ServerOptions, StartupError> {
    let config = Config { dir: cwd.to_string_lossy().into_owned(), ..Config::default() };
    let mut loader = Loader {
        options: ServerOptions {
            config,
            config_file: None,
            config_from_stdin: false,
            renamed_commands: Vec::new(),
            users: Vec::new(),
            modules: Vec::new(),
            module_configs: Vec::new(),
        },
        cwd: cwd.to_path_buf(),
        depth: 0,
    };
    let program = argv.first().map_or("ferrokey-server", String::as_str);
    let exec_name = program.rsplit('/').next().unwrap_or(program);
    if exec_name.contains("sentinel") || argv.iter().skip(1).any(|a| a == "--sentinel") {
        return Err(StartupError::stderr("ferrokey does not support sentinel mode.\n".into()));
    }
    if !defaults.is_empty() {
        loader.load_text(defaults).map_err(|mut e| {
            if let ExitOutput::Stderr(text) = &mut e.output {
                text.push_str(&format!("(in the {DEFAULTS_ENV} environment variable)\n"));
            }
            e
        })?;
        // A `save` line in the defaults is a default too: the first one given later replaces it.
        loader.options.config.startup_save_seen = false;
    }
    if argv.len() < 2 {
        return Ok(loader.options);
    }

    match argv[1].as_str() {
        "-v" | "--version" => {
            let text = format!(
                "ferrokey server v={VALKEY_VERSION} sha=00000000:0 malloc=mimalloc bits=64 build=ferrokey-{}\n",
                env!("CARGO_PKG_VERSION")
            );
            return Err(StartupError { output: ExitOutput::Stdout(text), exit_code: 0 });
        }
        "--help" | "-h" => return Err(StartupError::stderr(USAGE.into())),
        "--test-memory" if argv.len() == 3 => {
            return Err(StartupError::stderr("ferrokey does not implement --test-memory.\n".into()))
        }
        "--test-memory" => {
            return Err(StartupError::stderr(
                "Please specify the amount of memory to test in megabytes.\n\
                 Example: ./ferrokey-server --test-memory 4096\n\n"
                    .into(),
            ))
        }
        "--check-system" => return Err(StartupError::stderr("ferrokey does not implement --check-system.\n".into())),
        _ => {}
    }

    let mut first_option = 1;
    if !argv[1].starts_with('-') {
        loader.options.config_file = Some(absolute_path(&argv[1], cwd));
        first_option = 2;
    }
    let (options, from_stdin) = options_as_config_text(argv, first_option);
    loader.options.config_from_stdin = from_stdin;

    let mut text = Vec::new();
    if let Some(path) = &loader.options.config_file {
        text = fs::read(path).map_err(|e| StartupError::cannot_open_config(&path.to_string_lossy(), &e))?;
    }
    if from_stdin {
        stdin.read_to_end(&mut text).map_err(|e| StartupError::stderr(format!("Reading config from stdin: {e}\n")))?;
    }
    text.push(b'\n');
    text.extend_from_slice(&options);
    loader.load_text(&text)?;
    Ok(loader.options)
}

const USAGE: &str = "\
Usage: ./ferrokey-server [/path/to/ferrokey.conf] [options] [-]
       ./ferrokey-server - (read config from stdin)
       ./ferrokey-server -v or --version
       ./ferrokey-server -h or --help
       ./ferrokey-server --test-memory <megabytes>
       ./ferrokey-server --check-system

Examples:
       ./ferrokey-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./ferrokey-server -
       ./ferrokey-server /etc/ferrokey/6379.conf
       ./ferrokey-server --port 7777
       ./ferrokey-server --port 7777 --replicaof 127.0.0.1 8888
       ./ferrokey-server /etc/myferrokey.conf --loglevel verbose -
       ./ferrokey-server /etc/myferrokey.conf --loglevel verbose

";

/// Turns `argv[first..]` into config-file text, one line per `--option`, its values quoted;
/// also reports a `-` (read standard input) given first or last.
fn options_as_config_text(argv: &[String], first: usize) -> (Vec<u8>, bool) {
    let argc = argv.len();
    let is_option = |arg: &str| arg.starts_with("--");
    let mut text = Vec::new();
    let mut from_stdin = false;
    // False right after an option name given alone: the next word is its value even if it
    // starts with `--` (`--proc-title-template --my--title`).
    let mut last_option_has_value = true;
    for j in first..argc {
        let arg = argv[j].as_str();
        if arg == "-" && (j == 1 || j == argc - 1) {
            from_stdin = true;
        } else if last_option_has_value && is_option(arg) {
            if !text.is_empty() {
                text.push(b'\n');
            }
            text.extend_from_slice(&arg.as_bytes()[2..]);
            text.push(b' ');
            // "--port 6380" as one argument carries its own value.
            if split_args(arg.as_bytes()).map_or(0, |words| words.len()) == 1 {
                last_option_has_value = false;
                let is_last = j == argc - 1;
                let next_is_option = !is_last && is_option(&argv[j + 1]);
                // `--save` with nothing after it means `save ""` (no snapshots), as before 7.0.1.
                if arg.eq_ignore_ascii_case("--save") && (is_last || next_is_option) {
                    text.extend_from_slice(b"\"\"");
                    last_option_has_value = !is_last;
                }
            } else {
                last_option_has_value = true;
            }
        } else {
            quote_into(&mut text, arg.as_bytes());
            text.push(b' ');
            last_option_has_value = true;
        }
    }
    (text, from_stdin)
}

/// Valkey's `sdscatrepr`: a double-quoted word that `split_args` reads back unchanged.
fn quote_into(out: &mut Vec<u8>, word: &[u8]) {
    out.push(b'"');
    for &b in word {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// Valkey's `getAbsolutePath`: trims blanks, joins a relative path to the working directory and
/// folds leading `../`.
fn absolute_path(path: &str, cwd: &Path) -> PathBuf {
    let mut rel = path.trim_matches(|c| matches!(c, ' ' | '\r' | '\n' | '\t'));
    if rel.starts_with('/') {
        return PathBuf::from(rel);
    }
    let mut base = cwd.to_string_lossy().into_owned();
    if !base.ends_with('/') {
        base.push('/');
    }
    while let Some(rest) = rel.strip_prefix("../") {
        rel = rest;
        if base.len() > 1 {
            let without_slash = &base[..base.len() - 1];
            let cut = without_slash.rfind('/').map_or(0, |i| i + 1);
            base.truncate(cut);
        }
    }
    PathBuf::from(base + rel)
}

/// The C library's text for an OS error (`strerror`), without Rust's " (os error N)".
fn strerror(err: &io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn has_wildcard(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Reads the config text line by line into `options`, following includes.
struct Loader {
    options: ServerOptions,
    /// The working directory as Valkey would have it: `dir` changes it, relative paths use it.
    cwd: PathBuf,
    depth: usize,
}

/// Why a directive failed: a message for the banner at its line, or an error that is complete
/// already (from an included file).
enum DirectiveError {
    Message(String),
    Done(StartupError),
}

impl From<String> for DirectiveError {
    fn from(msg: String) -> Self {
        DirectiveError::Message(msg)
    }
}

impl Loader {
    /// Valkey's `loadServerConfigFromString`: every line, then the checks on the result.
    fn load_text(&mut self, text: &[u8]) -> Result<(), StartupError> {
        // The text is a C string.
        let text = text.iter().position(|&b| b == 0).map_or(text, |end| &text[..end]);
        let lines: Vec<&[u8]> = if text.is_empty() { Vec::new() } else { text.split(|&b| b == b'\n').collect() };
        for (i, raw) in lines.iter().enumerate() {
            let line = trim_blanks(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let at = Some((i + 1, line));
            let Some(mut words) = split_args(line) else {
                return Err(StartupError::fatal_config(at, "Unbalanced quotes in configuration line"));
            };
            if words.is_empty() {
                continue;
            }
            words[0].make_ascii_lowercase();
            match self.directive(&words) {
                Ok(()) => {}
                Err(DirectiveError::Message(msg)) => return Err(StartupError::fatal_config(at, &msg)),
                Err(DirectiveError::Done(err)) => return Err(err),
            }
        }

        let logfile = &self.options.config.logfile;
        if !logfile.is_empty() {
            // Valkey can't give up later for a log it cannot write, so it tries now.
            let path = self.cwd.join(logfile);
            if let Err(e) = fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(StartupError::fatal_config(None, &format!("Can't open the log file: {}", strerror(&e))));
            }
        }
        self.options.config.finish_startup().map_err(|msg| StartupError::fatal_config(None, &msg))
    }

    /// One line's words (the directive already lower-cased).
    fn directive(&mut self, words: &[Vec<u8>]) -> Result<(), DirectiveError> {
        let name = words[0].as_slice();
        let args = &words[1..];
        if let Some(param) = find_param(name) {
            let values: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
            if param.name == "dir" && values.len() == 1 && !values[0].is_empty() {
                let dir = self.enter_dir(values[0])?;
                return Ok(self.options.config.apply_startup_bytes(name, &[dir.as_bytes()])?);
            }
            return Ok(self.options.config.apply_startup_bytes(name, &values)?);
        }
        // Directives Valkey dropped but still accepts.
        const DEPRECATED: [&[u8]; 3] =
            [b"list-max-ziplist-entries", b"list-max-ziplist-value", b"lua-replicate-commands"];
        if words.len() == 2 && DEPRECATED.contains(&name) {
            return Ok(());
        }
        match name {
            b"include" if words.len() == 2 => self.include(&String::from_utf8_lossy(&words[1])),
            b"rename-command" if words.len() == 3 => {
                ferrokey_core::command::check_rename(&self.options.renamed_commands, &words[1], &words[2])
                    .map_err(|msg| msg.to_owned())?;
                self.options.renamed_commands.push((words[1].clone(), words[2].clone()));
                Ok(())
            }
            b"user" if words.len() >= 2 => {
                self.options.users.push(args.to_vec());
                Ok(())
            }
            b"loadmodule" if words.len() >= 2 => {
                self.options.modules.push((words[1].clone(), words[2..].to_vec()));
                Ok(())
            }
            _ if name.contains(&b'.') => {
                if words.len() < 2 {
                    return Err("Module config specified without value".to_owned().into());
                }
                self.options.module_configs.push((name.to_vec(), args.join(&b' ')));
                Ok(())
            }
            // A bare `sentinel` line only switches mode, which `main` refused already.
            b"sentinel" if words.len() == 1 => Ok(()),
            b"sentinel" => Err("sentinel directive while not in sentinel mode".to_owned().into()),
            _ => Err(ferrokey_core::config::BAD_DIRECTIVE.to_owned().into()),
        }
    }

    /// `dir`: what `chdir()` would do, without doing it. Returns the absolute directory.
    fn enter_dir(&mut self, dir: &[u8]) -> Result<String, DirectiveError> {
        let path = self.cwd.join(String::from_utf8_lossy(dir).as_ref());
        let absolute = fs::canonicalize(&path).map_err(|e| strerror(&e))?;
        if !absolute.is_dir() {
            return Err(strerror(&io::Error::from_raw_os_error(20 /* ENOTDIR */)).into());
        }
        self.cwd = absolute.clone();
        Ok(absolute.to_string_lossy().into_owned())
    }

    /// `include <path>`: a file, or every file a wildcard pattern matches (none is fine).
    fn include(&mut self, path: &str) -> Result<(), DirectiveError> {
        if self.depth >= MAX_INCLUDE_DEPTH {
            return Err(format!("include nesting deeper than {MAX_INCLUDE_DEPTH} files (a loop?)").into());
        }
        let mut text = Vec::new();
        if has_wildcard(path) {
            for (shown, resolved) in expand_glob(path, &self.cwd) {
                if resolved.is_dir() {
                    continue;
                }
                let content = fs::read(&resolved)
                    .map_err(|e| DirectiveError::Done(StartupError::cannot_open_config(&shown, &e)))?;
                text.extend_from_slice(&content);
            }
        } else {
            text = fs::read(self.cwd.join(path))
                .map_err(|e| DirectiveError::Done(StartupError::cannot_open_config(path, &e)))?;
        }
        self.depth += 1;
        let loaded = self.load_text(&text);
        self.depth -= 1;
        loaded.map_err(DirectiveError::Done)
    }
}

fn trim_blanks(line: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !blank(b)).map_or(start, |i| i + 1);
    &line[start..end]
}

/// `glob(3)` for include patterns: wildcards in any path component, names starting with `.`
/// only matched by a pattern starting with `.`, results sorted. Returns (path as glob would
/// print it, path to open).
fn expand_glob(pattern: &str, cwd: &Path) -> Vec<(String, PathBuf)> {
    let start = if pattern.starts_with('/') {
        ("/".to_owned(), PathBuf::from("/"))
    } else {
        (String::new(), cwd.to_path_buf())
    };
    let mut found = vec![start];
    for component in pattern.split('/').filter(|c| !c.is_empty()) {
        let mut next = Vec::new();
        for (shown, dir) in &found {
            let join = |name: &str| {
                let shown = if shown.is_empty() || shown.ends_with('/') {
                    format!("{shown}{name}")
                } else {
                    format!("{shown}/{name}")
                };
                (shown, dir.join(name))
            };
            if !has_wildcard(component) {
                next.push(join(component));
                continue;
            }
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.') || component.starts_with('.'))
                .filter(|name| glob_match(component.as_bytes(), name.as_bytes(), false))
                .collect();
            names.sort();
            next.extend(names.iter().map(|name| join(name)));
        }
        found = next;
    }
    found.retain(|(_, path)| path.exists());
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn argv(args: &[&str]) -> Vec<String> {
        std::iter::once("ferrokey-server").chain(args.iter().copied()).map(String::from).collect()
    }

    fn parse(args: &[&str]) -> Result<ServerOptions, StartupError> {
        parse_in(args, &std::env::temp_dir(), "")
    }

    fn parse_in(args: &[&str], cwd: &Path, stdin: &str) -> Result<ServerOptions, StartupError> {
        parse_args_with(&argv(args), &mut stdin.as_bytes(), cwd)
    }

    fn get(options: &ServerOptions, name: &str) -> String {
        let found = options.config.get(&[name.as_bytes()]);
        String::from_utf8(found[0].1.clone()).unwrap()
    }

    /// The text printed on stderr for a fatal config error at `line`.
    fn banner(line: Option<(usize, &str)>, msg: &str) -> StartupError {
        let mut text = "\n*** FATAL CONFIG FILE ERROR (Version 8.0.1) ***\n".to_string();
        if let Some((n, l)) = line {
            text += &format!("Reading the configuration file, at line {n}\n>>> '{l}'\n");
        }
        StartupError { output: ExitOutput::Stderr(format!("{text}{msg}\n")), exit_code: 1 }
    }

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("ferrokey-args-{}-{n}", std::process::id()));
            fs::create_dir_all(&dir).unwrap();
            TempDir(fs::canonicalize(&dir).unwrap())
        }

        fn write(&self, name: &str, text: &str) -> String {
            let path = self.0.join(name);
            fs::write(&path, text).unwrap();
            path.to_string_lossy().into_owned()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn parse_no_arguments_gives_defaults_and_the_working_directory() {
        let tmp = TempDir::new();
        let options = parse_in(&[], &tmp.0, "").unwrap();
        assert_eq!(options.config.port, 6379);
        assert_eq!(options.config.dir, tmp.0.to_string_lossy());
        assert_eq!(options.config_file, None);
    }

    #[test]
    fn parse_several_options_sets_each() {
        let options =
            parse(&["--port", "6400", "--save", "30", "1", "--maxclients", "10000", "--timeout", "1800"]).unwrap();
        assert_eq!(options.config.port, 6400);
        assert_eq!(options.config.save_points, vec![(30, 1)]);
        assert_eq!(options.config.maxclients, 10000);
        assert_eq!(options.config.timeout_secs, 1800);
    }

    #[test]
    fn parse_save_empty_forms_clear_snapshots() {
        for args in [
            &["--save", ""][..],
            &["--save"],
            &["--save", "--loglevel", "verbose"],
            &["--loglevel", "verbose", "--save"],
            &["--save", "", "--loglevel", "verbose"],
        ] {
            let options = parse(args).unwrap();
            assert_eq!(options.config.save_points, vec![], "{args:?}");
            assert_eq!(get(&options, "save"), "");
        }
        let options = parse(&["--proc-title-template", "--save", "--save", "", "--loglevel", "verbose"]).unwrap();
        assert_eq!(options.config.proc_title_template, "--save");
        assert_eq!(options.config.save_points, vec![]);
        assert_eq!(get(&options, "loglevel"), "verbose");
    }

    #[test]
    fn parse_save_with_several_pairs() {
        let options = parse(&["--save", "900", "1", "300", "10"]).unwrap();
        assert_eq!(options.config.save_points, vec![(900, 1), (300, 10)]);
        let options = parse(&["--save", "900 1 300 10"]).unwrap();
        assert_eq!(options.config.save_points, vec![(900, 1), (300, 10)]);
    }

    #[test]
    fn parse_option_and_value_in_one_argument() {
        let options = parse(&["--maxmemory 700mb", "--maxmemory-policy volatile-lru"]).unwrap();
        assert_eq!(get(&options, "maxmemory"), "734003200");
        assert_eq!(get(&options, "maxmemory-policy"), "volatile-lru");
        let options = parse(&["--proc-title-template --my--title--template", "--loglevel verbose"]).unwrap();
        assert_eq!(options.config.proc_title_template, "--my--title--template");
    }

    #[test]
    fn parse_value_may_start_with_dashes_after_a_bare_option() {
        let options = parse(&["--proc-title-template", "--my--title--template", "--loglevel", "verbose"]).unwrap();
        assert_eq!(options.config.proc_title_template, "--my--title--template");
        assert_eq!(get(&options, "loglevel"), "verbose");
    }

    #[test]
    fn parse_multi_word_options_split_one_argument() {
        let options =
            parse(&["--shutdown-on-sigint", "nosave", "force", "now", "--shutdown-on-sigterm", "nosave force"])
                .unwrap();
        assert_eq!(get(&options, "shutdown-on-sigint"), "nosave now force");
        assert_eq!(get(&options, "shutdown-on-sigterm"), "nosave force");
    }

    #[test]
    fn parse_unknown_option_prints_valkeys_banner() {
        let err = parse(&["--foo", "bar"]).unwrap_err();
        assert_eq!(err, banner(Some((2, "foo \"bar\"")), "Bad directive or wrong number of arguments"));
        let err = parse(&["--invalid"]).unwrap_err();
        assert_eq!(err, banner(Some((2, "invalid")), "Bad directive or wrong number of arguments"));
    }

    #[test]
    fn parse_missing_or_extra_values_name_the_line() {
        let cases: &[(&[&str], &str, &str)] = &[
            (&["--port"], "port", "wrong number of arguments"),
            (&["--port", "6380", "--loglevel"], "loglevel", "wrong number of arguments"),
            (&["--port", "6379", "6380"], "port \"6379\" \"6380\"", "wrong number of arguments"),
            (&["--port", "--loglevel", "verbose"], "port \"--loglevel\" \"verbose\"", "wrong number of arguments"),
            (
                &["--port", "--bla", "--loglevel", "verbose"],
                "port \"--bla\"",
                "argument couldn't be parsed into an integer",
            ),
            (&["--replicaof", "127.0.0.1", "abc"], "replicaof \"127.0.0.1\" \"abc\"", "Invalid primary port"),
            (&["--replicaof", "--127.0.0.1", "--abc"], "replicaof \"--127.0.0.1\"", "wrong number of arguments"),
        ];
        for (args, line, msg) in cases {
            let err = parse(args).unwrap_err();
            let n = if line.starts_with("port") || line.starts_with("replicaof") { 2 } else { 3 };
            assert_eq!(err, banner(Some((n, line)), msg), "{args:?}");
        }
        let err = parse(&["--logfile", "--my--log--file", "--loglevel", "--bla"]).unwrap_err();
        let msg = "argument(s) must be one of the following: debug, verbose, notice, warning, nothing";
        assert_eq!(err, banner(Some((3, "loglevel \"--bla\"")), msg));
        let err = parse(&["--shutdown-on-sigint"]).unwrap_err();
        let msg = "argument(s) must be one of the following: default, save, nosave, now, force";
        assert_eq!(err, banner(Some((2, "shutdown-on-sigint")), msg));
    }

    #[test]
    fn parse_config_file_with_quotes_comments_and_options() {
        let tmp = TempDir::new();
        let file = tmp.write(
            "ferrokey.conf",
            "# a comment\n\n   port 7001   \r\nrequirepass \"pa ss\\x41\\n\"\n  # indented comment\nsave ''\nsave 60 5\n\
             Maxmemory 1gb\nbind 127.0.0.1 ::1\nlist-max-ziplist-entries 5\n",
        );
        let options = parse_in(&[&file, "--save", "10", "2", "--loglevel", "warning"], &tmp.0, "").unwrap();
        let c = &options.config;
        assert_eq!(c.port, 7001);
        assert_eq!(c.requirepass.as_deref(), Some(&b"pa ssA\n"[..]));
        assert_eq!(c.save_points, vec![(60, 5), (10, 2)]);
        assert_eq!(c.maxmemory, 1 << 30);
        assert_eq!(c.bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(get(&options, "loglevel"), "warning");
        assert_eq!(options.config_file, Some(PathBuf::from(&file)));
    }

    #[test]
    fn parse_config_file_error_names_its_line() {
        let tmp = TempDir::new();
        let file = tmp.write("bad.conf", "port 7001\nfoo \"bar\"\n");
        let err = parse_in(&[&file], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((2, "foo \"bar\"")), "Bad directive or wrong number of arguments"));
        let file = tmp.write("quotes.conf", "\n\nrequirepass \"abc\n");
        let err = parse_in(&[&file], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((3, "requirepass \"abc")), "Unbalanced quotes in configuration line"));
        // Options come after the file and an empty line.
        let file = tmp.write("ok.conf", "port 7001\n");
        let err = parse_in(&[&file, "--nope", "1"], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((3, "nope \"1\"")), "Bad directive or wrong number of arguments"));
    }

    #[test]
    fn parse_words_after_the_config_file_become_a_line() {
        let tmp = TempDir::new();
        let file = tmp.write("f.conf", "");
        let options = parse_in(&[&file, "loglevel", "verbose", "--maxmemory '700mb'"], &tmp.0, "").unwrap();
        assert_eq!(get(&options, "loglevel"), "verbose");
        assert_eq!(options.config.maxmemory, 700 << 20);
    }

    #[test]
    fn parse_relative_config_file_is_made_absolute() {
        let tmp = TempDir::new();
        fs::create_dir(tmp.0.join("sub")).unwrap();
        tmp.write("up.conf", "port 7002\n");
        let options = parse_in(&["../up.conf"], &tmp.0.join("sub"), "").unwrap();
        assert_eq!(options.config.port, 7002);
        assert_eq!(options.config_file, Some(tmp.0.join("up.conf")));
    }

    #[test]
    fn parse_missing_config_file_is_a_logged_fatal_error() {
        let tmp = TempDir::new();
        let err = parse_in(&["nope.conf"], &tmp.0, "").unwrap_err();
        let msg =
            format!("Fatal error, can't open config file '{}/nope.conf': No such file or directory", tmp.0.display());
        assert_eq!(err, StartupError { output: ExitOutput::LogWarning(msg), exit_code: 1 });
    }

    #[test]
    fn parse_include_reads_files_relative_to_dir_and_globs() {
        let tmp = TempDir::new();
        fs::create_dir(tmp.0.join("conf.d")).unwrap();
        tmp.write("conf.d/b.conf", "maxclients 20\n");
        tmp.write("conf.d/a.conf", "maxclients 10\nhz 20\n");
        tmp.write("conf.d/.hidden.conf", "hz 30\n");
        tmp.write("base.conf", "port 7003\n");
        let main = tmp.write(
            "main.conf",
            "include base.conf\ndir conf.d\ninclude *.conf\ninclude ../empty.d/*.conf\ninclude nosuch-*.conf\n",
        );
        let options = parse_in(&[&main], &tmp.0, "").unwrap();
        let c = &options.config;
        assert_eq!((c.port, c.maxclients, c.hz), (7003, 20, 20));
        assert_eq!(c.dir, tmp.0.join("conf.d").to_string_lossy());

        let main = tmp.write("broken.conf", "port 1\ninclude missing.conf\n");
        let err = parse_in(&[&main], &tmp.0, "").unwrap_err();
        let msg = "Fatal error, can't open config file 'missing.conf': No such file or directory".to_string();
        assert_eq!(err.output, ExitOutput::LogWarning(msg));
        tmp.write("inner.conf", "\nbogus\n");
        let main = tmp.write("outer.conf", "port 1\ninclude inner.conf\n");
        let err = parse_in(&[&main], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((2, "bogus")), "Bad directive or wrong number of arguments"));
    }

    #[test]
    fn parse_include_loop_is_refused() {
        let tmp = TempDir::new();
        let file = tmp.write("self.conf", "include self.conf\n");
        let err = parse_in(&[&file], &tmp.0, "").unwrap_err();
        assert_eq!(err.exit_code, 1);
        assert!(err.to_string().contains("include nesting"), "{err}");
    }

    #[test]
    fn parse_dir_must_exist() {
        let tmp = TempDir::new();
        let err = parse_in(&["--dir", "nosuch"], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((2, "dir \"nosuch\"")), "No such file or directory"));
        tmp.write("file", "");
        let err = parse_in(&["--dir", "file"], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((2, "dir \"file\"")), "Not a directory"));
        let err = parse_in(&["--dir", ""], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(Some((2, "dir \"\"")), "dir can't be empty"));
    }

    #[test]
    fn parse_stdin_dash_reads_config_from_standard_input() {
        let options = parse_in(&["-", "--port", "7004"], &std::env::temp_dir(), "maxmemory 128mb\nport 1\n").unwrap();
        assert!(options.config_from_stdin);
        assert_eq!(options.config.maxmemory, 128 << 20);
        assert_eq!(options.config.port, 7004);
        let options = parse_in(&["--port", "7005", "-"], &std::env::temp_dir(), "hz 50\n").unwrap();
        assert_eq!((options.config.port, options.config.hz), (7005, 50));
    }

    #[test]
    fn parse_collects_server_directives() {
        let tmp = TempDir::new();
        let file = tmp.write(
            "d.conf",
            "rename-command FLUSHALL \"\"\nuser alice on >pw ~* +@all\nloadmodule /m.so a b\nmymod.size 1 2\nlua-replicate-commands yes\nsentinel\n",
        );
        let options = parse_in(&[&file], &tmp.0, "").unwrap();
        assert_eq!(options.renamed_commands, vec![(b"FLUSHALL".to_vec(), vec![])]);
        assert_eq!(
            options.users,
            vec![vec![b"alice".to_vec(), b"on".to_vec(), b">pw".to_vec(), b"~*".to_vec(), b"+@all".to_vec()]]
        );
        assert_eq!(options.modules, vec![(b"/m.so".to_vec(), vec![b"a".to_vec(), b"b".to_vec()])]);
        assert_eq!(options.module_configs, vec![(b"mymod.size".to_vec(), b"1 2".to_vec())]);
        let err = parse(&["--mymod.size"]).unwrap_err();
        assert_eq!(err, banner(Some((2, "mymod.size")), "Module config specified without value"));
        let err = parse(&["--sentinel-ish", "x"]).unwrap_err();
        assert_eq!(err, banner(Some((2, "sentinel-ish \"x\"")), "Bad directive or wrong number of arguments"));
    }

    #[test]
    fn parse_rename_command_of_unknown_or_onto_existing_name_is_refused() {
        let err = parse(&["--rename-command", "nosuch", "x"]).unwrap_err();
        assert_eq!(err, banner(Some((2, "rename-command \"nosuch\" \"x\"")), "No such command in rename-command"));
        let err = parse(&["--rename-command", "get", "set"]).unwrap_err();
        assert_eq!(err, banner(Some((2, "rename-command \"get\" \"set\"")), "Target command name already exists"));
        let err = parse(&["--rename-command", "get", "", "--rename-command", "get", "x"]).unwrap_err();
        assert_eq!(err, banner(Some((3, "rename-command \"get\" \"x\"")), "No such command in rename-command"));
        let ok = parse(&["--rename-command", "get", "fetch", "--rename-command", "set", "get"]).unwrap();
        assert_eq!(ok.renamed_commands.len(), 2);
    }

    #[test]
    fn parse_checks_after_loading() {
        let options = parse(&["--hz", "1000", "--io-threads", "100"]).unwrap();
        assert_eq!((options.config.hz, options.config.io_threads), (500, 16));
        let err = parse(&["--cluster-enabled", "yes", "--replicaof", "h", "1"]).unwrap_err();
        assert_eq!(err, banner(None, "replicaof directive not allowed in cluster mode"));
        let tmp = TempDir::new();
        let err = parse_in(&["--logfile", "no/such/dir/log"], &tmp.0, "").unwrap_err();
        assert_eq!(err, banner(None, "Can't open the log file: No such file or directory"));
    }

    #[test]
    fn parse_version_help_and_refused_modes() {
        let err = parse(&["--version"]).unwrap_err();
        assert_eq!(err.exit_code, 0);
        assert!(matches!(&err.output, ExitOutput::Stdout(t) if t.contains("v=8.0.1")));
        let err = parse(&["-h"]).unwrap_err();
        assert!(matches!(&err.output, ExitOutput::Stderr(t) if t.starts_with("Usage: ./ferrokey-server")));
        assert_eq!(err.exit_code, 1);
        let err = parse(&["--test-memory"]).unwrap_err();
        assert_eq!(err.output, ExitOutput::Stderr("Please specify the amount of memory to test in megabytes.\nExample: ./ferrokey-server --test-memory 4096\n\n".into()));
        assert_eq!(parse(&["--test-memory", "10"]).unwrap_err().exit_code, 1);
        assert_eq!(parse(&["--port", "1", "--sentinel"]).unwrap_err().exit_code, 1);
    }

    #[test]
    fn quote_into_escapes_like_sdscatrepr() {
        let mut out = Vec::new();
        quote_into(&mut out, b"a\"b\\c\n\x01\xff ");
        assert_eq!(out, b"\"a\\\"b\\\\c\\n\\x01\\xff \"".to_vec());
        assert_eq!(split_args(&out), Some(vec![b"a\"b\\c\n\x01\xff ".to_vec()]));
    }

    #[test]
    fn defaults_env_text_changes_defaults_and_options_still_win() {
        let cwd = std::env::temp_dir();
        let parse_with =
            |args: &[&str]| parse_args_with_defaults(&argv(args), b"protected-mode no", &mut &b""[..], &cwd);
        assert!(!parse_with(&[]).unwrap().config.protected_mode);
        assert!(!parse_with(&["--port", "7000"]).unwrap().config.protected_mode);
        assert!(parse_with(&["--protected-mode", "yes"]).unwrap().config.protected_mode);
    }

    #[test]
    fn defaults_env_save_line_is_replaced_by_the_first_save_option() {
        let cwd = std::env::temp_dir();
        let opts = parse_args_with_defaults(&argv(&["--save", "30 1"]), b"save 60 5", &mut &b""[..], &cwd).unwrap();
        let plain = parse_args_with(&argv(&["--save", "30 1"]), &mut &b""[..], &cwd).unwrap();
        assert_eq!(opts.config.save_points, plain.config.save_points);
    }

    #[test]
    fn defaults_env_bad_line_names_the_variable() {
        let cwd = std::env::temp_dir();
        let err = parse_args_with_defaults(&argv(&[]), b"protected-mode maybe", &mut &b""[..], &cwd).unwrap_err();
        assert!(err.to_string().contains(DEFAULTS_ENV), "{err}");
    }
}
