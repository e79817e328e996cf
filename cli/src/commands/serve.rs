//! `hexa serve`: serves a notebooks folder with `marimo edit --headless` on 127.0.0.1 and
//! prints each notebook's URL; `hexa generate --serve` adds a notebook to the folder and opens
//! it in the running server, or starts one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use hexa_marimo::discover_python;
use hexa_marimo::serve::{
    self, MarimoServer, NotebookFolder, Origin, ServeConfig, ServerRecord, notebook_url,
};

use crate::commands::generate::{self, GenerateArgs, Generated};
use crate::input::UserError;

/// Arguments of `hexa serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The notebooks folder; it is created when missing.
    #[arg(default_value = "notebooks")]
    pub dir: PathBuf,
    /// Port on 127.0.0.1 (default: a free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Restarts in a row after which hexa stops restarting marimo; a run of a minute or more
    /// resets the count.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_restarts: u32,
    /// Seconds marimo may take to answer on /health after each start.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub ready_timeout: u64,
}

/// Runs `hexa serve` until SIGINT or SIGTERM; returns the exit code.
pub fn run(args: &ServeArgs, python_flag: Option<&Path>) -> anyhow::Result<i32> {
    let folder = NotebookFolder::open(&args.dir)?;
    if let Some(record) = live_server(&folder)? {
        eprintln!(
            "{} is already served by hexa (pid {}) at {}",
            folder.dir().display(),
            record.pid,
            notebook_url(record.port, &record.token, None)
        );
        print_notebooks(&folder, record.port, &record.token)?;
        return Ok(0);
    }
    serve_folder(&folder, args, python_flag)
}

/// Runs `hexa generate FLOW --serve`: writes the notebook into the folder, prints its URL in
/// the folder's running server, or starts a server and keeps serving until stopped.
pub fn generate_and_serve(args: &GenerateArgs, python_flag: Option<&Path>) -> anyhow::Result<i32> {
    let Generated { source, text } = generate::render(args)?;
    let folder = NotebookFolder::open(&args.notebooks)?;
    let stem = source
        .path
        .as_ref()
        .and_then(|path| path.file_stem())
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".to_string());
    let origin = Origin {
        path: match &source.path {
            Some(path) => std::path::absolute(path).unwrap_or_else(|_| path.clone()),
            None => PathBuf::from("-"),
        },
        hash: serve::content_hash(&source.text),
    };
    let file = folder
        .add_notebook(&stem, &text, Some(origin))
        .map_err(|e| UserError::at_start(&folder.dir().display().to_string(), e))?;
    eprintln!("wrote {}", folder.dir().join(&file).display());

    if let Some(record) = live_server(&folder)? {
        println!("{}", notebook_url(record.port, &record.token, Some(&file)));
        return Ok(0);
    }
    let serve_args = ServeArgs {
        dir: folder.dir().to_path_buf(),
        port: None,
        max_restarts: 5,
        ready_timeout: 60,
    };
    serve_folder(&folder, &serve_args, python_flag)
}

/// Returns the server recorded in the index when its hexa and marimo processes are alive
/// and marimo answers on `/health`.
fn live_server(folder: &NotebookFolder) -> anyhow::Result<Option<ServerRecord>> {
    let lock = folder.lock()?;
    let Some(record) = folder.read_index(&lock).server else {
        return Ok(None);
    };
    drop(lock);
    let alive = record.pid != std::process::id()
        && serve::process_alive(record.pid)
        && serve::process_alive(record.marimo_pid);
    let healthy = alive
        && serve::http_get(record.port, "/health", &[], Duration::from_secs(2))
            .is_ok_and(|response| response.status == 200);
    if healthy {
        Ok(Some(record))
    } else {
        tracing::info!(
            pid = record.pid,
            port = record.port,
            "recorded server is gone"
        );
        Ok(None)
    }
}

fn serve_folder(
    folder: &NotebookFolder,
    args: &ServeArgs,
    python_flag: Option<&Path>,
) -> anyhow::Result<i32> {
    let stop = serve::shutdown_on_signals().context("failed to install signal handlers")?;
    let cwd = std::env::current_dir().context("failed to read the current directory")?;
    let env = discover_python(python_flag, &cwd)?;
    let config = ServeConfig {
        python: env.executable,
        dir: folder.dir().to_path_buf(),
        port: args.port,
        max_restarts: args.max_restarts,
        ready_timeout: Duration::from_secs(args.ready_timeout),
    };
    let mut server = MarimoServer::start(config)?;
    record_server(folder, &server)?;
    eprintln!(
        "serving {} at {} (Ctrl-C stops)",
        folder.dir().display(),
        server.url(None)
    );
    print_notebooks(folder, server.port(), server.token())?;

    let supervised = server.supervise(stop, |server| {
        if let Err(error) = record_server(folder, server) {
            tracing::warn!(%error, "failed to record the restarted server in the index");
        }
    });
    server.stop();
    let own_pid = std::process::id();
    folder.update_index(|index| {
        if index
            .server
            .as_ref()
            .is_some_and(|record| record.pid == own_pid)
        {
            index.server = None;
        }
    })?;
    supervised?;
    eprintln!("stopped serving {}", folder.dir().display());
    Ok(0)
}

fn record_server(folder: &NotebookFolder, server: &MarimoServer) -> anyhow::Result<()> {
    let record = ServerRecord {
        pid: std::process::id(),
        marimo_pid: server.marimo_pid().unwrap_or_default(),
        port: server.port(),
        token: server.token().to_string(),
    };
    folder.update_index(|index| index.server = Some(record))?;
    Ok(())
}

/// Prints one line per notebook: its file name, its URL and the flowchart it came from.
fn print_notebooks(folder: &NotebookFolder, port: u16, token: &str) -> anyhow::Result<()> {
    let mut text = String::new();
    for notebook in folder.notebooks()? {
        let url = notebook_url(port, token, Some(&notebook.file));
        text.push_str(&format!("{} {url}", notebook.file));
        if let Some(origin) = notebook.entry.and_then(|entry| entry.flowchart) {
            text.push_str(&format!(" from {}", origin.path.display()));
        }
        text.push('\n');
    }
    crate::output::print_stdout(&text).context("failed to write to stdout")?;
    Ok(())
}
