//! `createStore` options, as JS passes them (deserialized with serde-wasm-bindgen), and the engine
//! configuration they make.

use ferrokey_core::config::Config;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The options the JS face passes (`pkg/index.js` normalizes `StoreOptions` into this).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StoreOptions {
    /// Manual clock instead of the real one.
    pub manual: bool,
    /// Manual clock's start, unix ms.
    pub now_ms: f64,
    /// Seed of the engine's random numbers; random when absent.
    pub seed: Option<u64>,
    /// Configuration directives, name to value (applied in name order).
    pub config: BTreeMap<String, String>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    #[error("config '{name}': {reason}")]
    Config { name: String, reason: String },
}

/// The engine configuration: Valkey's defaults with the given directives applied as start-up ones
/// (a multi-word value such as `save "900 1"` is split as valkey.conf would).
pub fn build_config(directives: &BTreeMap<String, String>) -> Result<Config, OptionsError> {
    let mut config = Config::default();
    let fail = |name: &str, reason: String| OptionsError::Config { name: name.to_owned(), reason };
    for (name, value) in directives {
        config.apply_startup(name, std::slice::from_ref(value)).map_err(|e| fail(name, e))?;
    }
    config.finish_startup().map_err(|e| fail("", e))?;
    Ok(config)
}

/// A seed from the platform's random source (`crypto.getRandomValues` in JS hosts).
pub fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    // Without a random source the seed is 0: the store works, only less unpredictably.
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_config_known_directive_applies() {
        let mut d = BTreeMap::new();
        d.insert("notify-keyspace-events".to_owned(), "KEA".to_owned());
        d.insert("hz".to_owned(), "100".to_owned());
        let c = build_config(&d).unwrap();
        assert_eq!(c.hz, 100);
    }

    #[test]
    fn build_config_unknown_directive_names_it() {
        let mut d = BTreeMap::new();
        d.insert("no-such-thing".to_owned(), "1".to_owned());
        let err = build_config(&d).unwrap_err();
        assert!(err.to_string().starts_with("config 'no-such-thing': "), "{err}");
    }
}
