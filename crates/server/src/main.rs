//! `ferrokey-server [config-file] [--name value ...]`: starts the server the way `valkey-server` does.

use ferrokey_server::args::parse_args;
use ferrokey_server::log::{self, Level};
use ferrokey_server::server::{bind_all, Server};
use ferrokey_server::{notice, warning};

#[global_allocator]
static GLOBAL: ferrokey_server::alloc::CountingAlloc = ferrokey_server::alloc::CountingAlloc::new();

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let opts = match parse_args(&argv) {
        Ok(o) => o,
        Err(e) => {
            e.print();
            std::process::exit(e.exit_code);
        }
    };
    let config = opts.config.clone();
    log::set_level(Level::parse(config.loglevel.as_str()));
    if !config.dir.is_empty() {
        if let Err(e) = std::env::set_current_dir(&config.dir) {
            warning!("Can't chdir to '{}': {e}", config.dir);
            std::process::exit(1);
        }
    }
    notice!("oO0OoO0OoO0Oo ferrokey is starting oO0OoO0OoO0Oo");
    notice!(
        "ferrokey version={}, bits=64, pid={}, just started (compatible with Valkey 8.0.1 / Redis 7.2.4)",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    if opts.config_file.is_none() && !opts.config_from_stdin {
        notice!("Warning: no config file specified, using the default config. In order to specify a config file use ferrokey-server /path/to/ferrokey.conf");
    } else {
        notice!("Configuration loaded");
    }

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let local = tokio::task::LocalSet::new();
    let code = local.block_on(&runtime, async move {
        let port = config.port as u16;
        let bind = config.bind.clone();
        notice!("Running mode=standalone, port={port}.");
        let seed = seed();
        let srv = Server::new(config, seed);
        {
            let config_file = opts.config_file.as_ref().map(|p| p.display().to_string());
            let mut eng = srv.engine.borrow_mut();
            ferrokey_core::commands::server::set_host(
                &mut eng,
                ferrokey_server::host::host_info(port, config_file),
                Box::new(ferrokey_server::host::ProcessHost::new(&GLOBAL)),
            );
        }
        notice!("Server initialized");
        let listeners = match bind_all(&bind, port).await {
            Ok(l) => l,
            Err(e) => {
                warning!("{e}");
                return 1;
            }
        };
        let listeners: Vec<_> = listeners.into_iter().map(std::rc::Rc::new).collect();
        let terminate = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            let _ = signal_hook::flag::register(sig, terminate.clone());
        }
        ferrokey_core::scripting::set_host(
            &srv.engine.borrow(),
            Box::new(ferrokey_server::server::BusyHost {
                srv: std::rc::Rc::downgrade(&srv),
                listeners: listeners.clone(),
                terminate,
            }),
        );
        for l in listeners {
            tokio::task::spawn_local(srv.clone().accept_loop(l));
        }
        tokio::task::spawn_local(srv.clone().cron_loop());
        let signal = tokio::select! {
            s = wait_for_shutdown_signal() => s,
            _ = srv.shutdown_requested() => "SHUTDOWN",
        };
        if signal == "SHUTDOWN" {
            warning!("User requested shutdown...");
        } else {
            warning!("Received {signal} scheduling shutdown...");
        }
        notice!("ferrokey is now ready to exit, bye bye...");
        0
    });
    std::process::exit(code);
}

/// SIGTERM or SIGINT (Ctrl-C); the name for the log.
async fn wait_for_shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

/// The engine's random seed: different on every start, as Valkey's.
fn seed() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    t ^ (u64::from(std::process::id()) << 32)
}
