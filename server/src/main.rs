use server::settings::Settings;
use server::Application;
use tracing_subscriber::EnvFilter;

fn main() {
    // `bpc parse-import`: the server's child that reads one uploaded
    // spreadsheet under a memory limit (app::import::isolate); no runtime, no logs
    if std::env::args().nth(1).as_deref() == Some(app::import::isolate::SUBCOMMAND) {
        std::process::exit(app::import::isolate::child_main());
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bpc: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(serve());
}

async fn serve() {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bpc: {e}");
            std::process::exit(2);
        }
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealkv=warn"));
    if settings.log_json {
        // one JSON object per line, for a log collector
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    // `bpc backup FILE` / `bpc restore FILE`: maintenance, no server
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, file] = args.as_slice() {
        if cmd == "backup" || cmd == "restore" {
            std::process::exit(maintenance(&settings, cmd, std::path::Path::new(file)).await);
        }
    }
    let started = std::time::Instant::now();
    let demo = settings.demo;
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("bpc: start-up failed: {e}");
            std::process::exit(1);
        }
    };
    let port = app.port();
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "ready");
    println!("BPC is running at http://127.0.0.1:{port}/");
    if demo {
        println!(
            "Demo logins (password {}): admin, boss, manager1, manager2, rep1 … rep8",
            server::demo::DEMO_PASSWORD
        );
    }
    if let Err(e) = app.run_until(shutdown_signal()).await {
        eprintln!("bpc: server error: {e}");
        std::process::exit(1);
    }
    tracing::info!("stopped");
}

async fn maintenance(settings: &Settings, cmd: &str, file: &std::path::Path) -> i32 {
    use server::backup;
    let db = match backup::open(settings).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("bpc {cmd}: {e}");
            return 1;
        }
    };
    let started = std::time::Instant::now();
    let done = match cmd {
        "backup" => backup::backup(&db, file)
            .await
            .map(|bytes| format!("{} bytes written to {}", bytes, file.display())),
        _ => backup::restore(&db, file)
            .await
            .map(|()| format!("{} restored into {}", file.display(), settings.database_url)),
    };
    match done {
        Ok(what) => {
            println!("bpc {cmd}: {what} in {:.1?}", started.elapsed());
            0
        }
        Err(e) => {
            eprintln!("bpc {cmd}: {e}");
            1
        }
    }
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
