//! The zeromq sockets: one tokio task per channel, all stopped by one shutdown token.
//!
//! Receiving tasks decode and verify frames and forward [`Message`]s on channels. Sending
//! tasks take [`Message`]s from channels, sign them and write them. A frame set that fails to
//! decode or verify is logged and dropped, so it never reaches a handler.

use bytes::Bytes;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

use crate::KernelError;
use crate::connection::ConnectionInfo;
use crate::messages::Message;
use crate::wire::{self, Signer};

/// Maximum size in bytes of a message, over all frames, that the kernel accepts. Larger
/// messages are dropped.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Item of the iopub queue: a message, or a marker that reports when every message queued
/// before it has been handed to the socket.
#[derive(Debug)]
pub enum Iopub {
    /// A message to broadcast.
    Message(Box<Message>),
    /// Marker whose sender fires once every message queued before it has been sent.
    Flushed(tokio::sync::oneshot::Sender<()>),
}

/// The kernel's side of the five channels.
pub struct Channels {
    /// Requests from the shell channel.
    pub shell_in: UnboundedReceiver<Message>,
    /// Replies to the shell channel.
    pub shell_out: UnboundedSender<Message>,
    /// Requests from the control channel.
    pub control_in: UnboundedReceiver<Message>,
    /// Replies to the control channel.
    pub control_out: UnboundedSender<Message>,
    /// `input_reply` messages from the stdin channel.
    pub stdin_in: UnboundedReceiver<Message>,
    /// `input_request` messages to the stdin channel.
    pub stdin_out: UnboundedSender<Message>,
    /// Broadcasts on iopub, sent in the order they are queued.
    pub iopub: UnboundedSender<Iopub>,
}

/// Binds all sockets and starts their tasks on `tasks`.
pub async fn bind(
    info: &ConnectionInfo,
    signer: &Signer,
    shutdown: &CancellationToken,
    tasks: &mut JoinSet<()>,
) -> Result<Channels, KernelError> {
    // Bind iopub and heartbeat first and shell last, so a client that gets a shell reply can
    // already receive iopub messages. A client whose iopub connection is refused retries only
    // after libzmq's reconnect interval plus a random delay (100 to 200 ms in total), and
    // misses the first `status`.
    let mut iopub_socket = PubSocket::new();
    bind_socket(&mut iopub_socket, info, info.iopub_port, "iopub").await?;
    let (iopub, iopub_queue) = mpsc::unbounded_channel();
    tasks.spawn(publish(
        iopub_socket,
        iopub_queue,
        signer.clone(),
        shutdown.clone(),
    ));

    let mut heartbeat_socket = RepSocket::new();
    bind_socket(&mut heartbeat_socket, info, info.hb_port, "heartbeat").await?;
    tasks.spawn(heartbeat(heartbeat_socket, shutdown.clone()));

    let (stdin_in, stdin_out) =
        router(info, info.stdin_port, "stdin", signer, shutdown, tasks).await?;
    let (control_in, control_out) =
        router(info, info.control_port, "control", signer, shutdown, tasks).await?;
    let (shell_in, shell_out) =
        router(info, info.shell_port, "shell", signer, shutdown, tasks).await?;

    Ok(Channels {
        shell_in,
        shell_out,
        control_in,
        control_out,
        stdin_in,
        stdin_out,
        iopub,
    })
}

async fn bind_socket(
    socket: &mut impl Socket,
    info: &ConnectionInfo,
    port: u16,
    channel: &str,
) -> Result<(), KernelError> {
    let endpoint = info.endpoint(port);
    socket
        .bind(&endpoint)
        .await
        .map_err(|e| KernelError::Bind(format!("{channel} on {endpoint}: {e}")))?;
    tracing::debug!(channel, %endpoint, "bound");
    Ok(())
}

async fn router(
    info: &ConnectionInfo,
    port: u16,
    channel: &'static str,
    signer: &Signer,
    shutdown: &CancellationToken,
    tasks: &mut JoinSet<()>,
) -> Result<(UnboundedReceiver<Message>, UnboundedSender<Message>), KernelError> {
    let mut socket = RouterSocket::new();
    bind_socket(&mut socket, info, port, channel).await?;
    let (mut send_half, mut recv_half) = socket.split();
    let (incoming, incoming_queue) = mpsc::unbounded_channel();
    let (outgoing, mut outgoing_queue) = mpsc::unbounded_channel::<Message>();

    let receive_signer = signer.clone();
    let receive_shutdown = shutdown.clone();
    tasks.spawn(async move {
        loop {
            let frames = tokio::select! {
                () = receive_shutdown.cancelled() => break,
                received = recv_half.recv() => match received {
                    Ok(frames) => frames,
                    Err(error) => {
                        tracing::warn!(channel, %error, "receive failed");
                        continue;
                    }
                },
            };
            if let Some(message) = decode_incoming(frames, &receive_signer, channel)
                && incoming.send(message).is_err()
            {
                break;
            }
        }
    });

    let send_signer = signer.clone();
    let send_shutdown = shutdown.clone();
    tasks.spawn(async move {
        loop {
            let message = tokio::select! {
                () = send_shutdown.cancelled() => break,
                message = outgoing_queue.recv() => match message {
                    Some(message) => message,
                    None => break,
                },
            };
            send_frames(&mut send_half, &message, &send_signer, channel).await;
        }
        // Replies queued before the shutdown (such as `shutdown_reply`) still go out.
        while let Ok(message) = outgoing_queue.try_recv() {
            send_frames(&mut send_half, &message, &send_signer, channel).await;
        }
    });
    Ok((incoming_queue, outgoing))
}

fn decode_incoming(frames: ZmqMessage, signer: &Signer, channel: &str) -> Option<Message> {
    let frames: Vec<Bytes> = frames.into_vec();
    let size: usize = frames.iter().map(Bytes::len).sum();
    if size > MAX_MESSAGE_BYTES {
        tracing::warn!(
            channel,
            size,
            "dropped a message larger than {MAX_MESSAGE_BYTES} bytes"
        );
        return None;
    }
    match wire::decode(frames, signer) {
        Ok(message) => {
            tracing::trace!(channel, msg_type = message.msg_type(), content = %message.content);
            Some(message)
        }
        Err(error) => {
            tracing::warn!(channel, %error, "dropped an invalid message");
            None
        }
    }
}

async fn send_frames(
    socket: &mut impl SocketSend,
    message: &Message,
    signer: &Signer,
    channel: &str,
) {
    tracing::trace!(channel, msg_type = message.msg_type(), "send");
    let frames = wire::encode(message, signer);
    let Ok(frames) = ZmqMessage::try_from(frames) else {
        return;
    };
    if let Err(error) = socket.send(frames).await {
        // A client that went away is normal, so the kernel keeps serving the others.
        tracing::warn!(channel, msg_type = message.msg_type(), %error, "send failed");
    }
}

async fn publish(
    mut socket: PubSocket,
    mut queue: UnboundedReceiver<Iopub>,
    signer: Signer,
    shutdown: CancellationToken,
) {
    loop {
        let item = tokio::select! {
            () = shutdown.cancelled() => break,
            item = queue.recv() => match item {
                Some(item) => item,
                None => break,
            },
        };
        publish_item(&mut socket, item, &signer).await;
    }
    while let Ok(item) = queue.try_recv() {
        publish_item(&mut socket, item, &signer).await;
    }
}

async fn publish_item(socket: &mut PubSocket, item: Iopub, signer: &Signer) {
    match item {
        Iopub::Message(message) => send_frames(socket, &message, signer, "iopub").await,
        Iopub::Flushed(done) => {
            let _ = done.send(());
        }
    }
}

async fn heartbeat(mut socket: RepSocket, shutdown: CancellationToken) {
    loop {
        let ping = tokio::select! {
            () = shutdown.cancelled() => break,
            ping = socket.recv() => ping,
        };
        match ping {
            Ok(ping) => {
                if let Err(error) = socket.send(ping).await {
                    tracing::debug!(%error, "heartbeat reply failed");
                }
            }
            Err(error) => tracing::debug!(%error, "heartbeat receive failed"),
        }
    }
}
