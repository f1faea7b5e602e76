//! The server log, in Valkey's format: `pid:M 22 Nov 2026 04:10:00.123 * message`.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
}

impl Level {
    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }

    /// The `loglevel` config names.
    pub fn parse(name: &str) -> Option<Level> {
        Some(match name {
            "debug" => Level::Debug,
            "verbose" => Level::Verbose,
            "notice" => Level::Notice,
            "warning" => Level::Warning,
            "nothing" => return None,
            _ => Level::Notice,
        })
    }
}

static MIN_LEVEL: AtomicU8 = AtomicU8::new(Level::Notice as u8);

pub fn set_level(level: Option<Level>) {
    MIN_LEVEL.store(level.map_or(u8::MAX, |l| l as u8), Ordering::Relaxed);
}

pub fn log(level: Level, msg: &str) {
    if (level as u8) < MIN_LEVEL.load(Ordering::Relaxed) {
        return;
    }
    let line = format!("{}:M {} {} {}\n", std::process::id(), timestamp(), level.mark(), msg);
    let _ = std::io::stdout().lock().write_all(line.as_bytes());
}

/// `22 Nov 2026 04:10:00.123`, UTC.
fn timestamp() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as i64;
    let ms = now.subsec_millis();
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        tod / 3600,
        tod / 60 % 60,
        tod % 60,
        ms
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[macro_export]
macro_rules! notice {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Notice, &format!($($t)*)) };
}

#[macro_export]
macro_rules! warning {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Warning, &format!($($t)*)) };
}

#[macro_export]
macro_rules! verbose {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Verbose, &format!($($t)*)) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_from_days_known_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_414), (2025, 11, 22));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
    }
}
