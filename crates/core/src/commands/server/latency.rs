//! The latency monitor (events slower than `latency-monitor-threshold` ms, one sample per second per
//! event, the last 160 seconds kept) and the LATENCY command, which also reads the per-command
//! histograms of `latency-tracking`.

use std::collections::BTreeMap;

use crate::args::Args;
use crate::command::{flag::*, CommandSpec, CommandTable, Group, Keys};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

use super::histogram::Histogram;
use super::state::with_state;

/// Samples kept per event (one per second).
const HISTORY_LEN: usize = 160;
/// Width of LATENCY GRAPH.
const GRAPH_COLUMNS: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencySample {
    pub unix_s: i64,
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Default)]
pub struct EventSeries {
    /// Oldest first; at most one per second.
    pub samples: std::collections::VecDeque<LatencySample>,
    /// All-time maximum since the event was last reset.
    pub max_ms: u64,
}

/// Latency events by name ("command", "fast-command", "expire-cycle" ...).
#[derive(Debug, Default)]
pub struct LatencyEvents {
    events: BTreeMap<String, EventSeries>,
}

impl LatencyEvents {
    /// Records a sample; a second sample in the same second only raises that second's value.
    pub fn add(&mut self, event: &str, unix_s: i64, latency_ms: u64) {
        let series = self.events.entry(event.to_string()).or_default();
        series.max_ms = series.max_ms.max(latency_ms);
        if let Some(last) = series.samples.back_mut() {
            if last.unix_s == unix_s {
                last.latency_ms = last.latency_ms.max(latency_ms);
                return;
            }
        }
        series.samples.push_back(LatencySample { unix_s, latency_ms });
        if series.samples.len() > HISTORY_LEN {
            series.samples.pop_front();
        }
    }

    pub fn get(&self, event: &str) -> Option<&EventSeries> {
        self.events.get(event)
    }

    /// Forgets one event (any case) or all of them; returns how many were forgotten.
    pub fn reset(&mut self, event: Option<&[u8]>) -> usize {
        let before = self.events.len();
        match event {
            None => self.events.clear(),
            Some(name) => self.events.retain(|k, _| !k.as_bytes().eq_ignore_ascii_case(name)),
        }
        before - self.events.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &EventSeries)> {
        self.events.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// Records `latency_ms` for `event` if the monitor is on and the latency reaches its threshold. Other
/// modules call this for their own events (the active expire cycle's "expire-cycle", ...).
pub fn add_sample_if_needed(eng: &mut Engine, event: &str, latency_ms: u64) {
    let threshold = eng.config.latency_monitor_threshold;
    if threshold <= 0 || latency_ms < threshold as u64 {
        return;
    }
    let unix_s = eng.clock.now_ms() / 1000;
    with_state(eng, |s| s.latency.add(event, unix_s, latency_ms));
}

// -- LATENCY ---------------------------------------------------------------------------------------

const G: Group = Group::Server;

pub const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "latency|doctor", 2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, latency_doctor)
        .since("2.8.13")
        .summary("Returns a human-readable latency analysis report."),
    CommandSpec::new(G, "latency|graph", 3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, latency_graph)
        .since("2.8.13")
        .summary("Returns a latency graph for an event.")
        .syntax("event"),
    CommandSpec::new(G, "latency|help", 2, LOADING | STALE, Keys::None, latency_help)
        .since("2.8.13")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "latency|histogram", -2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, latency_histogram)
        .since("7.0.0")
        .summary("Returns the cumulative distribution of latencies of a subset or all commands.")
        .syntax("[COMMAND...]"),
    CommandSpec::new(G, "latency|history", 3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, latency_history)
        .since("2.8.13")
        .summary("Returns timestamp-latency samples for an event.")
        .syntax("event"),
    CommandSpec::new(G, "latency|latest", 2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, latency_latest)
        .since("2.8.13")
        .summary("Returns the latest latency samples for all events."),
    CommandSpec::new(G, "latency|reset", -2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, latency_reset)
        .since("2.8.13")
        .summary("Resets the latency data for one or more events.")
        .syntax("[event...]"),
];

/// LATENCY HISTORY event
fn latency_history(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let event = String::from_utf8_lossy(args.next()?).into_owned();
    let samples = with_state(ctx.eng, |s| s.latency.get(&event).map(|e| e.samples.clone()).unwrap_or_default());
    Ok(Reply::Array(
        samples
            .into_iter()
            .map(|s| Reply::Array(vec![Reply::Int(s.unix_s), Reply::Int(s.latency_ms as i64)]))
            .collect(),
    ))
}

/// LATENCY LATEST
fn latency_latest(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let rows = with_state(ctx.eng, |s| {
        s.latency
            .iter()
            .map(|(name, e)| {
                let last = e.samples.back().copied().unwrap_or(LatencySample { unix_s: 0, latency_ms: 0 });
                Reply::Array(vec![
                    Reply::bulk(name.as_bytes()),
                    Reply::Int(last.unix_s),
                    Reply::Int(last.latency_ms as i64),
                    Reply::Int(e.max_ms as i64),
                ])
            })
            .collect()
    });
    Ok(Reply::Array(rows))
}

/// LATENCY RESET [event ...]
fn latency_reset(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let names: Vec<Vec<u8>> = args.rest().to_vec();
    let n = with_state(ctx.eng, |s| {
        if names.is_empty() {
            s.latency.reset(None)
        } else {
            names.iter().map(|n| s.latency.reset(Some(n))).sum()
        }
    });
    Ok(Reply::Int(n as i64))
}

/// LATENCY GRAPH event
fn latency_graph(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let event = String::from_utf8_lossy(args.next()?).into_owned();
    let now_s = ctx.now_ms / 1000;
    let Some(series) = with_state(ctx.eng, |s| s.latency.get(&event).cloned()) else {
        return Err(CommandError::err(format!("No samples available for event '{event}'")));
    };
    Ok(Reply::Verbatim("txt", render_graph(&event, &series, now_s).into_bytes()))
}

/// A header line, a rule, then one column per sample (oldest left): a bar of `#` scaled between the
/// lowest and highest sample, and under it how long ago the sample was taken.
fn render_graph(event: &str, series: &EventSeries, now_s: i64) -> String {
    let values: Vec<u64> = series.samples.iter().map(|s| s.latency_ms).collect();
    let max = values.iter().copied().max().unwrap_or(0);
    let min = values.iter().copied().min().unwrap_or(0);
    let mut out = format!("{event} - high {max} ms, low {min} ms (all time high {} ms)\n", series.max_ms);
    out.push_str(&"-".repeat(GRAPH_COLUMNS));
    out.push('\n');
    let shown: Vec<&LatencySample> =
        series.samples.iter().rev().take(GRAPH_COLUMNS).collect::<Vec<_>>().into_iter().rev().collect();
    const ROWS: u64 = 4;
    let height = |v: u64| if max == min { ROWS } else { 1 + (v - min) * (ROWS - 1) / (max - min) };
    for row in (1..=ROWS).rev() {
        let line: String = shown.iter().map(|s| if height(s.latency_ms) >= row { '#' } else { ' ' }).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let labels: Vec<String> = shown.iter().map(|s| age_label(now_s - s.unix_s)).collect();
    let label_rows = labels.iter().map(|l| l.len()).max().unwrap_or(0);
    for i in 0..label_rows {
        let line: String = labels.iter().map(|l| l.as_bytes().get(i).map_or(' ', |&b| b as char)).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `12s`, `3m`, `2h`, `1d`: how long ago, in the largest unit that fits.
fn age_label(secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m", secs / 60)
    } else if secs < 86400 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}d", secs / 86400)
    }
}

/// LATENCY DOCTOR
fn latency_doctor(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let threshold = ctx.eng.config.latency_monitor_threshold;
    let events: Vec<(String, EventSeries)> =
        with_state(ctx.eng, |s| s.latency.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    let mut report = String::new();
    if events.is_empty() && threshold == 0 {
        report.push_str(
            "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Valkey instance. You may use \
             \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it.\n",
        );
    } else if events.is_empty() {
        report.push_str(
            "No latency spike was observed during the lifetime of this Valkey instance, not in the slightest bit.\n",
        );
    } else {
        report.push_str("Latency spikes are observed in this Valkey instance.\n\n");
        for (i, (name, e)) in events.iter().enumerate() {
            let n = e.samples.len() as u64;
            let avg = e.samples.iter().map(|s| s.latency_ms).sum::<u64>() / n.max(1);
            let mad = e.samples.iter().map(|s| s.latency_ms.abs_diff(avg)).sum::<u64>() / n.max(1);
            let period = match (e.samples.front(), e.samples.back()) {
                (Some(first), Some(_)) => (ctx.now_ms / 1000 - first.unix_s).max(0) as f64 / n.max(1) as f64,
                _ => 0.0,
            };
            report.push_str(&format!(
                "{}. {name}: {n} latency spikes (average {avg}ms, mean deviation {mad}ms, period {period:.2} sec). Worst all time event {}ms.\n",
                i + 1,
                e.max_ms
            ));
        }
        report.push_str(
            "\nThere are latency events logged that are not easy to fix. Please get some help from Valkey community, \
             providing this report in your help request.\n",
        );
    }
    Ok(Reply::Verbatim("txt", report.into_bytes()))
}

/// LATENCY HISTOGRAM [command ...]
fn latency_histogram(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let table = CommandTable::get();
    let mut names: Vec<&'static str> = Vec::new();
    if args.is_empty() {
        let mut all: Vec<&'static CommandSpec> = table.iter().collect();
        all.sort_by_key(|c| c.name);
        for c in all {
            names.push(c.name);
            names.extend(c.subcommands.iter().map(|s| s.name));
        }
    } else {
        for name in args.rest() {
            let Some(spec) = super::command_docs::lookup_full_name(name) else { continue };
            names.push(spec.name);
            names.extend(spec.subcommands.iter().map(|s| s.name));
        }
    }
    let rows: Vec<(Reply, Reply)> = with_state(ctx.eng, |s| {
        names
            .iter()
            .filter_map(|n| s.histograms.get(&crate::stats::CommandName(n)).map(|h| (Reply::bulk(*n), cdf_reply(h))))
            .collect()
    });
    Ok(Reply::Map(rows))
}

fn cdf_reply(h: &Histogram) -> Reply {
    Reply::Map(vec![
        (Reply::bulk("calls"), Reply::Int(h.total() as i64)),
        (
            Reply::bulk("histogram_usec"),
            Reply::Map(
                h.cumulative_us().into_iter().map(|(us, n)| (Reply::Int(us as i64), Reply::Int(n as i64))).collect(),
            ),
        ),
    ])
}

/// LATENCY HELP
fn latency_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(crate::commands::connection::help_reply(
        args.name(),
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_events_keep_one_sample_per_second() {
        let mut ev = LatencyEvents::default();
        ev.add("command", 10, 300);
        ev.add("command", 10, 500);
        ev.add("command", 11, 200);
        let e = ev.get("command").unwrap();
        assert_eq!(e.samples.len(), 2);
        assert_eq!(e.samples[0].latency_ms, 500);
        assert_eq!(e.max_ms, 500);
        assert_eq!(ev.reset(Some(b"COMMAND")), 1);
        assert!(ev.is_empty());
    }

    #[test]
    fn latency_graph_has_the_header_tests_parse() {
        let mut ev = LatencyEvents::default();
        ev.add("command", 10, 300);
        ev.add("command", 12, 500);
        let g = render_graph("command", ev.get("command").unwrap(), 20);
        assert!(g.starts_with("command - high 500 ms, low 300 ms (all time high 500 ms)\n"));
    }
}
