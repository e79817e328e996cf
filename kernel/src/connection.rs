//! The connection file a Jupyter client writes before it starts the kernel.

use std::path::Path;

use serde::Deserialize;

use crate::KernelError;

/// Ports, address and key from a connection file.
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectionInfo {
    /// `tcp`; `ipc` is not supported.
    #[serde(default = "default_transport")]
    pub transport: String,
    /// Address to bind, for example `127.0.0.1`.
    pub ip: String,
    /// Shell channel port.
    pub shell_port: u16,
    /// IOPub channel port.
    pub iopub_port: u16,
    /// Stdin channel port.
    pub stdin_port: u16,
    /// Control channel port.
    pub control_port: u16,
    /// Heartbeat port.
    pub hb_port: u16,
    /// HMAC key; empty disables signing.
    #[serde(default)]
    pub key: String,
    /// Must be `hmac-sha256` when a key is set.
    #[serde(default = "default_scheme")]
    pub signature_scheme: String,
}

fn default_transport() -> String {
    "tcp".to_string()
}

fn default_scheme() -> String {
    "hmac-sha256".to_string()
}

impl ConnectionInfo {
    /// Reads and checks a connection file.
    pub fn read(path: &Path) -> Result<Self, KernelError> {
        let invalid = |message: String| KernelError::ConnectionFile {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let info: Self = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if info.transport != "tcp" {
            return Err(invalid(format!(
                "transport `{}` is not supported; use tcp",
                info.transport
            )));
        }
        if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
            return Err(invalid(format!(
                "signature scheme `{}` is not supported; use hmac-sha256",
                info.signature_scheme
            )));
        }
        Ok(info)
    }

    /// Returns the zeromq endpoint of `port`.
    pub fn endpoint(&self, port: u16) -> String {
        format!("tcp://{}:{port}", self.ip)
    }
}
