//! Shape names for `A@{ shape: name }`, as mermaid.js 11.17 registers them.

use crate::ast::{NamedShape, Shape};

/// Every name mermaid.js 11.17.2 accepts in `@{ shape: … }` (short names, aliases and the
/// internal shapes it also registers), sorted for binary search.
const VALID: &[&str] = &[
    "anchor",
    "bang",
    "block_arrow",
    "bolt",
    "bow-rect",
    "bow-tie-rectangle",
    "brace",
    "brace-l",
    "brace-r",
    "braces",
    "browser",
    "bucket",
    "card",
    "choice",
    "circ",
    "circle",
    "classBox",
    "cloud",
    "collapsedGroup",
    "collate",
    "com-link",
    "comment",
    "composite",
    "console",
    "cross-circ",
    "crossed-circle",
    "curv-trap",
    "curved-trapezoid",
    "cyl",
    "cylinder",
    "das",
    "data-store",
    "database",
    "datastore",
    "db",
    "dbl-circ",
    "decision",
    "defaultMindmapNode",
    "delay",
    "diam",
    "diamond",
    "directory",
    "disk",
    "display",
    "div-proc",
    "div-rect",
    "divided-process",
    "divided-rectangle",
    "doc",
    "docs",
    "document",
    "documents",
    "double-circle",
    "doublecircle",
    "erBox",
    "event",
    "extract",
    "f-circ",
    "filled-circle",
    "flag",
    "flip-tri",
    "flipped-triangle",
    "folder",
    "fork",
    "forkJoin",
    "fr-circ",
    "fr-rect",
    "framed-circle",
    "framed-rectangle",
    "h-cyl",
    "half-rounded-rectangle",
    "hex",
    "hexagon",
    "horizontal-cylinder",
    "hourglass",
    "icon",
    "iconCircle",
    "iconRounded",
    "iconSquare",
    "imageSquare",
    "in-out",
    "internal-storage",
    "inv-trapezoid",
    "inv_trapezoid",
    "join",
    "junction",
    "kanbanItem",
    "labelRect",
    "lean-l",
    "lean-left",
    "lean-r",
    "lean-right",
    "lean_left",
    "lean_right",
    "lightning-bolt",
    "lin-cyl",
    "lin-doc",
    "lin-proc",
    "lin-rect",
    "lined-cylinder",
    "lined-document",
    "lined-process",
    "lined-rectangle",
    "loop-limit",
    "manual",
    "manual-file",
    "manual-input",
    "mindmapCircle",
    "notch-pent",
    "notch-rect",
    "notched-pentagon",
    "notched-rectangle",
    "note",
    "odd",
    "out-in",
    "paper-tape",
    "person",
    "pill",
    "prepare",
    "priority",
    "proc",
    "process",
    "processes",
    "procs",
    "question",
    "rect",
    "rectWithTitle",
    "rect_left_inv_arrow",
    "rectangle",
    "requirementBox",
    "rounded",
    "roundedRect",
    "shaded-process",
    "sl-rect",
    "sloped-rectangle",
    "sm-circ",
    "small-circle",
    "squareRect",
    "st-doc",
    "st-rect",
    "stacked-document",
    "stacked-rectangle",
    "stadium",
    "start",
    "state",
    "stateEnd",
    "stateStart",
    "stop",
    "stored-data",
    "subproc",
    "subprocess",
    "subroutine",
    "summary",
    "tag-doc",
    "tag-proc",
    "tag-rect",
    "tagged-document",
    "tagged-process",
    "tagged-rectangle",
    "terminal",
    "text",
    "trap-b",
    "trap-t",
    "trapezoid",
    "trapezoid-bottom",
    "trapezoid-top",
    "tri",
    "triangle",
    "win-pane",
    "window-pane",
];

/// A rejected shape name, with the two reasons mermaid gives.
pub(super) enum ShapeNameError {
    /// Upper case or `_` in the name.
    NotLowercase,
    /// Not a registered shape.
    Unknown,
}

/// Checks a name the way mermaid's `addVertex` does before looking it up.
pub(super) fn check(name: &str) -> Result<(), ShapeNameError> {
    if name != name.to_lowercase() || name.contains('_') {
        return Err(ShapeNameError::NotLowercase);
    }
    if VALID.binary_search(&name).is_ok() {
        Ok(())
    } else {
        Err(ShapeNameError::Unknown)
    }
}

/// Maps a valid shape name to the document's shape.
pub(super) fn classify(name: &str) -> Shape {
    match name {
        "rect" | "rectangle" | "proc" | "process" => Shape::Rect,
        "rounded" | "event" => Shape::Rounded,
        "stadium" | "terminal" | "pill" => Shape::Stadium,
        "fr-rect" | "subprocess" | "subproc" | "framed-rectangle" | "subroutine" => {
            Shape::Subroutine
        }
        "cyl" | "db" | "database" | "cylinder" => Shape::Cylinder,
        "circle" | "circ" => Shape::Circle,
        "dbl-circ" | "double-circle" | "doublecircle" => Shape::DoubleCircle,
        "odd" => Shape::Asymmetric,
        "diam" | "decision" | "diamond" | "question" => Shape::Diamond,
        "hex" | "hexagon" | "prepare" => Shape::Hexagon,
        "lean-r" | "lean-right" | "in-out" => Shape::LeanRight,
        "lean-l" | "lean-left" | "out-in" => Shape::LeanLeft,
        "trap-b" | "priority" | "trapezoid-bottom" | "trapezoid" => Shape::Trapezoid,
        "trap-t" | "manual" | "trapezoid-top" | "inv-trapezoid" => Shape::InvTrapezoid,
        "sm-circ" | "start" | "small-circle" | "fr-circ" | "stop" | "framed-circle" => {
            Shape::Named(NamedShape::Terminal)
        }
        "doc"
        | "document"
        | "docs"
        | "documents"
        | "st-doc"
        | "stacked-document"
        | "lin-doc"
        | "lined-document"
        | "tag-doc"
        | "tagged-document"
        | "sl-rect"
        | "manual-input"
        | "sloped-rectangle"
        | "flip-tri"
        | "manual-file"
        | "flipped-triangle"
        | "bow-rect"
        | "stored-data"
        | "bow-tie-rectangle"
        | "h-cyl"
        | "das"
        | "horizontal-cylinder"
        | "lin-cyl"
        | "disk"
        | "lined-cylinder"
        | "win-pane"
        | "internal-storage"
        | "window-pane"
        | "flag"
        | "paper-tape"
        | "datastore"
        | "data-store" => Shape::Named(NamedShape::Data),
        _ => Shape::Named(NamedShape::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::VALID;

    #[test]
    fn valid_names_are_sorted() {
        assert!(VALID.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
