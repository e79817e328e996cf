//! Command-line arguments of `hexa kernel`, parsed by the `hexa` binary.

use std::path::{Path, PathBuf};

use crate::{InstallLocation, KernelError};

/// Arguments of `hexa kernel`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KernelArgs {
    /// Connection file written by the Jupyter client that starts the kernel.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub connection_file: Option<PathBuf>,
    /// Install the kernelspec instead of running.
    #[command(subcommand)]
    pub action: Option<KernelAction>,
}

/// Subcommands of `hexa kernel`.
#[derive(Debug, clap::Subcommand)]
pub enum KernelAction {
    /// Write a kernelspec so that Jupyter clients can start `hexa kernel`.
    Install(InstallArgs),
}

/// Arguments of `hexa kernel install`.
#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Install for the current user (the default).
    #[arg(long, conflicts_with_all = ["sys_prefix", "prefix"])]
    pub user: bool,
    /// Install into the Python environment's share/jupyter.
    #[arg(long, conflicts_with = "prefix")]
    pub sys_prefix: bool,
    /// Install into PREFIX/share/jupyter.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<PathBuf>,
    /// Kernel name, the folder under kernels/.
    #[arg(long, default_value = "hexa")]
    pub name: String,
}

/// Runs `hexa kernel`; `python` is the global `--python` flag.
pub fn run(args: &KernelArgs, python: Option<&Path>) -> Result<u8, KernelError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let env = hexa_marimo::discover_python(python, &cwd)
        .map_err(|e| KernelError::Python(e.to_string()))?;
    match (&args.action, &args.connection_file) {
        (Some(KernelAction::Install(install)), _) => {
            let location = if let Some(prefix) = &install.prefix {
                InstallLocation::Prefix(prefix.clone())
            } else if install.sys_prefix {
                let prefix = env
                    .executable
                    .parent()
                    .and_then(Path::parent)
                    .ok_or_else(|| {
                        KernelError::Install(format!(
                            "no prefix above {}",
                            env.executable.display()
                        ))
                    })?;
                InstallLocation::SysPrefix(prefix.to_path_buf())
            } else {
                InstallLocation::User
            };
            let executable = std::env::current_exe()
                .map_err(|e| KernelError::Install(format!("cannot find the hexa binary: {e}")))?;
            let dir = crate::install(&location, &install.name, &executable, Some(&env.executable))?;
            eprintln!("installed kernelspec {} in {}", install.name, dir.display());
            Ok(0)
        }
        (None, Some(file)) => crate::run(file, env).map(|()| 0),
        (None, None) => Err(KernelError::ConnectionFile {
            path: PathBuf::new(),
            message: "missing; pass --connection-file FILE or use `hexa kernel install`"
                .to_string(),
        }),
    }
}
