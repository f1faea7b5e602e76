//! `ferrokey-server [config-file] [--name value ...]`: starts the server the way `valkey-server` does.

use ferrokey_server::args::parse_args;
use ferrokey_server::listen;
use ferrokey_server::log::{self, Level};
use ferrokey_server::server::Server;
use ferrokey_server::{notice, warning};

#[global_allocator]
static GLOBAL: ferrokey_server::alloc::CountingAlloc = ferrokey_server::alloc::CountingAlloc::new();

fn main() {
    ferrokey_server::alloc::configure();
    let argv: Vec<String> = std::env::args().collect();
    let opts = match parse_args(&argv) {
        Ok(o) => o,
        Err(e) => {
            e.print();
            std::process::exit(e.exit_code);
        }
    };
    let config = opts.config.clone();
    // rename-command: the command table is the process's and is built once, so renames go in first.
    ferrokey_core::command::install_renames(opts.renamed_commands.clone());
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

    // A LocalRuntime rather than a LocalSet on a current-thread runtime: a LocalSet woken by the reactor
    // wakes the runtime through its eventfd, one write and one more epoll_wait per round.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build_local(Default::default())
        .expect("tokio runtime");
    let code = runtime.block_on(async move {
        let port = config.port as u16;
        notice!("Running mode=standalone, port={port}.");
        let listening = match listen::listen_all(&config).await {
            Ok(l) => l,
            Err(e) => {
                warning!("{e}");
                return 1;
            }
        };
        let seed = seed();
        let srv = Server::new(config, seed);
        {
            let config_file = opts.config_file.as_ref().map(|p| p.display().to_string());
            let mut host = ferrokey_server::host::host_info(port, config_file);
            host.listeners = listening.info.clone();
            let mut eng = srv.engine.borrow_mut();
            ferrokey_core::commands::server::set_host(
                &mut eng,
                host,
                Box::new(ferrokey_server::host::ProcessHost::new(&GLOBAL)),
            );
        }
        // Users come before the data, as in Valkey; a bad ACL file stops the start-up.
        if ferrokey_server::acl_file::load_at_startup(&mut srv.engine.borrow_mut()).is_err() {
            return 1;
        }
        notice!("Server initialized");
        {
            let mut eng = srv.engine.borrow_mut();
            let mut disk = Box::new(ferrokey_server::persistence::DiskHost::new());
            // A file that cannot be loaded stops the server: starting empty would overwrite it later.
            if disk.load_at_startup(&mut eng).is_err() {
                return 1;
            }
            ferrokey_core::commands::persistence::set_persistence_host(&mut eng, disk);
        }
        let listeners = listening.sockets.clone();
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
            tokio::task::spawn_local(listen::accept_loop(srv.clone(), l));
        }
        listen::log_ready(&listening);
        tokio::task::spawn_local(srv.clone().cron_loop());
        tokio::task::spawn_local(srv.clone().flush_loop());
        loop {
            let signal = tokio::select! {
                s = wait_for_shutdown_signal() => s,
                _ = srv.shutdown_requested() => "SHUTDOWN",
            };
            if signal == "SHUTDOWN" {
                // SHUTDOWN saved (or was told not to) before it asked to exit.
                warning!("User requested shutdown...");
                break;
            }
            warning!("Received {signal} scheduling shutdown...");
            let request = ferrokey_core::commands::server::ShutdownRequest::default();
            if ferrokey_core::commands::persistence::prepare_shutdown(&mut srv.engine.borrow_mut(), request).is_ok() {
                break;
            }
            warning!(
                "{signal} received but errors trying to shut down the server, check the logs for more information"
            );
        }
        listen::remove_unix_socket(&srv.engine.borrow().config);
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
