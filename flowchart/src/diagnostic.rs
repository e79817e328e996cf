//! Diagnostics shared by every stage: a span, a stable code, a message and an optional fix.

use serde::Serialize;

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A hint a reviewer may ignore.
    Info,
    /// Works, but probably not as meant.
    Warning,
    /// The input cannot be used as it is.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A text replacement that fixes a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, for a code action title ("Quote label").
    pub title: String,
    /// The bytes to replace.
    pub span: Span,
    /// The replacement text.
    pub replacement: String,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Where the problem is.
    pub span: Span,
    /// How serious it is.
    pub severity: Severity,
    /// A stable code such as `F001`, listed in docs/diagnostics.md.
    pub code: &'static str,
    /// A sentence a person understands, lower-case start, no trailing period.
    pub message: String,
    /// A suggested edit, when one is safe.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Makes an error diagnostic.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            severity: Severity::Error,
            code,
            message: message.into(),
            fix: None,
        }
    }

    /// Makes a warning diagnostic.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            severity: Severity::Warning,
            code,
            message: message.into(),
            fix: None,
        }
    }

    /// Adds a fix.
    pub fn with_fix(
        mut self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
