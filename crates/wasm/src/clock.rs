//! The clocks a JS host gives the engine: the real one (`Date.now`, `performance.now`) or a manual one
//! the host moves (tests of TTLs and blocking timeouts that take no real time).

use ferrokey_core::{Clock, ManualClock};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: present in browsers, workers and Node ≥ 16.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Wall time from `Date.now()`, monotonic time from `performance.now()`.
///
/// While held (one command, see [`JsClock::hold`]) the first wall-clock read answers every read: a
/// command reads the time at its start and at its end (its duration), and `Date.now()` has millisecond
/// steps, so a second read would cost a crossing to JS for nothing.
#[derive(Debug, Default, Clone)]
pub struct JsClock {
    held: Rc<Cell<Hold>>,
}

#[derive(Debug, Default, Clone, Copy)]
enum Hold {
    #[default]
    Live,
    /// Held, not read yet.
    Pending,
    At(i64),
}

impl JsClock {
    /// Until [`JsClock::release`], every wall-clock read returns the first one's answer.
    pub fn hold(&self) {
        self.held.set(Hold::Pending);
    }

    /// Until [`JsClock::release`], the time is `now_ms`, read by the JS caller: `Date.now()` in JS costs
    /// less than the crossing from wasm to call it.
    pub fn hold_at(&self, now_ms: i64) {
        self.held.set(Hold::At(now_ms));
    }

    pub fn release(&self) {
        self.held.set(Hold::Live);
    }
}

impl Clock for JsClock {
    fn now_ms(&self) -> i64 {
        match self.held.get() {
            Hold::Live => js_sys::Date::now() as i64,
            Hold::At(ms) => ms,
            Hold::Pending => {
                let ms = js_sys::Date::now() as i64;
                self.held.set(Hold::At(ms));
                ms
            }
        }
    }

    fn monotonic_us(&self) -> u64 {
        (performance_now() * 1000.0) as u64
    }
}

/// Which clock a store runs on; the manual one stays reachable so the host can move it.
#[derive(Debug, Clone)]
pub enum StoreClock {
    Real(JsClock),
    Manual(ManualClock),
}

impl StoreClock {
    /// The clock handed to the engine.
    pub fn boxed(&self) -> Box<dyn Clock> {
        match self {
            StoreClock::Real(c) => Box::new(c.clone()),
            StoreClock::Manual(c) => Box::new(c.clone()),
        }
    }

    /// One command's reads of the real clock give one answer (see [`JsClock`]); a manual clock only moves
    /// when the host moves it.
    pub fn hold(&self) {
        if let StoreClock::Real(c) = self {
            c.hold();
        }
    }

    /// As [`JsClock::hold_at`]; a NaN time holds the first read instead.
    pub fn hold_at(&self, now_ms: f64) {
        if let StoreClock::Real(c) = self {
            if now_ms.is_nan() {
                c.hold();
            } else {
                c.hold_at(now_ms as i64);
            }
        }
    }

    pub fn release(&self) {
        if let StoreClock::Real(c) = self {
            c.release();
        }
    }

    pub fn manual(&self) -> Option<&ManualClock> {
        match self {
            StoreClock::Real(_) => None,
            StoreClock::Manual(c) => Some(c),
        }
    }
}
