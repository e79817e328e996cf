//! The wire format: a [`Message`] as zeromq frames with an HMAC-SHA256 signature.
//!
//! Frames are `identities…, <IDS|MSG>, signature, header, parent_header, metadata, content,
//! buffers…`. The signature is the hex HMAC of the four JSON frames, checked in constant time.

use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::messages::{Header, Message};

const DELIMITER: &[u8] = b"<IDS|MSG>";

/// Why incoming frames are not a valid message.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// There is no `<IDS|MSG>` delimiter or fewer than five frames after it.
    #[error("malformed message: {0}")]
    Malformed(&'static str),
    /// The signature does not match the key.
    #[error("invalid signature")]
    BadSignature,
    /// A JSON frame does not parse.
    #[error("invalid JSON in the {frame} frame: {source}")]
    Json {
        /// Which frame.
        frame: &'static str,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// Signs and checks messages with the connection file's key.
#[derive(Clone)]
pub struct Signer {
    key: Option<Vec<u8>>,
}

impl Signer {
    /// Creates a signer; an empty key disables signing, as the protocol allows.
    pub fn new(key: &str) -> Self {
        Self {
            key: (!key.is_empty()).then(|| key.as_bytes().to_vec()),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<Hmac<Sha256>> {
        let key = self.key.as_ref()?;
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
        for part in parts {
            mac.update(part);
        }
        Some(mac)
    }

    /// Returns the hex signature of the four JSON frames, empty without a key.
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        self.mac(parts)
            .map(|mac| hex::encode(mac.finalize().into_bytes()))
            .unwrap_or_default()
    }

    /// Checks `signature` against the frames in constant time.
    pub fn verify(&self, signature: &[u8], parts: &[&[u8]]) -> bool {
        let Some(mac) = self.mac(parts) else {
            return true;
        };
        let Ok(expected) = hex::decode(signature) else {
            return false;
        };
        mac.verify_slice(&expected).is_ok()
    }
}

/// Encodes a message into frames, signing it.
pub fn encode(message: &Message, signer: &Signer) -> Vec<Bytes> {
    let json = |value: &Value| Bytes::from(serde_json::to_vec(value).unwrap_or_default());
    let header = Bytes::from(serde_json::to_vec(&message.header).unwrap_or_default());
    let parent = json(&message.parent_header);
    let metadata = json(&message.metadata);
    let content = json(&message.content);
    let signature = signer.sign(&[&header, &parent, &metadata, &content]);

    let mut frames = message.identities.clone();
    frames.push(Bytes::from_static(DELIMITER));
    frames.push(Bytes::from(signature));
    frames.extend([header, parent, metadata, content]);
    frames.extend(message.buffers.iter().cloned());
    frames
}

/// Decodes frames into a message after checking the signature.
pub fn decode(frames: Vec<Bytes>, signer: &Signer) -> Result<Message, WireError> {
    let split = frames
        .iter()
        .position(|frame| frame.as_ref() == DELIMITER)
        .ok_or(WireError::Malformed("no <IDS|MSG> delimiter"))?;
    let mut rest = frames.into_iter();
    let identities: Vec<Bytes> = rest.by_ref().take(split).collect();
    rest.next();
    let parts: Vec<Bytes> = rest.collect();
    if parts.len() < 5 {
        return Err(WireError::Malformed(
            "fewer than five frames after the delimiter",
        ));
    }
    if !signer.verify(&parts[0], &[&parts[1], &parts[2], &parts[3], &parts[4]]) {
        return Err(WireError::BadSignature);
    }

    let parse = |frame: &'static str, bytes: &Bytes| {
        serde_json::from_slice::<Value>(bytes).map_err(|source| WireError::Json { frame, source })
    };
    let header: Header = serde_json::from_slice(&parts[1]).map_err(|source| WireError::Json {
        frame: "header",
        source,
    })?;
    Ok(Message {
        identities,
        header,
        parent_header: parse("parent_header", &parts[2])?,
        metadata: parse("metadata", &parts[3])?,
        content: parse("content", &parts[4])?,
        buffers: parts[5..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signer() -> Signer {
        Signer::new("secret")
    }

    #[test]
    fn round_trip_keeps_identities_and_content() {
        let mut message = Message::new("execute_request", json!({"code": "1"}), None, "s");
        message.identities = vec![Bytes::from_static(b"peer")];
        let decoded = decode(encode(&message, &signer()), &signer()).expect("valid");
        assert_eq!(decoded.identities, message.identities);
        assert_eq!(decoded.header, message.header);
        assert_eq!(decoded.content, json!({"code": "1"}));
    }

    #[test]
    fn tampered_content_is_rejected() {
        let message = Message::new("execute_request", json!({"code": "1"}), None, "s");
        let mut frames = encode(&message, &signer());
        let last = frames.len() - 1;
        frames[last] = Bytes::from_static(br#"{"code":"2"}"#);
        assert!(matches!(
            decode(frames, &signer()),
            Err(WireError::BadSignature)
        ));
    }

    #[test]
    fn wrong_key_is_rejected() {
        let message = Message::new("kernel_info_request", json!({}), None, "s");
        let frames = encode(&message, &Signer::new("other"));
        assert!(matches!(
            decode(frames, &signer()),
            Err(WireError::BadSignature)
        ));
    }

    #[test]
    fn missing_delimiter_is_malformed() {
        let frames = vec![Bytes::from_static(b"x")];
        assert!(matches!(
            decode(frames, &signer()),
            Err(WireError::Malformed(_))
        ));
    }

    #[test]
    fn invalid_json_is_reported() {
        let bad = Bytes::from_static(b"{not json");
        let signature = signer().sign(&[&bad, b"{}", b"{}", b"{}"]);
        let frames = vec![
            Bytes::from_static(DELIMITER),
            Bytes::from(signature),
            bad,
            Bytes::from_static(b"{}"),
            Bytes::from_static(b"{}"),
            Bytes::from_static(b"{}"),
        ];
        assert!(matches!(
            decode(frames, &signer()),
            Err(WireError::Json { .. })
        ));
    }
}
