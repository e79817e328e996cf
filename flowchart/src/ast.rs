//! The parsed flowchart: nodes, edges and subgraphs with the source span of every item.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Layout direction from the header (`flowchart TD`, `graph LR`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Direction {
    /// Top to bottom (`TB` or `TD`); mermaid's default.
    #[default]
    TopDown,
    /// Bottom to top (`BT`).
    BottomUp,
    /// Left to right (`LR`).
    LeftRight,
    /// Right to left (`RL`).
    RightLeft,
}

/// Node shape, as mermaid.js names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Shape {
    /// `A[text]` (and a node that is only referenced, never declared).
    #[default]
    Rect,
    /// `A(text)`.
    Rounded,
    /// `A([text])`.
    Stadium,
    /// `A[[text]]`.
    Subroutine,
    /// `A[(text)]`.
    Cylinder,
    /// `A((text))`.
    Circle,
    /// `A(((text)))`.
    DoubleCircle,
    /// `A>text]`.
    Asymmetric,
    /// `A{text}`.
    Diamond,
    /// `A{{text}}`.
    Hexagon,
    /// `A[/text/]`.
    LeanRight,
    /// `A[\text\]`.
    LeanLeft,
    /// `A[/text\]`.
    Trapezoid,
    /// `A[\text/]`.
    InvTrapezoid,
    /// `A@{ shape: ... }` with a named shape that has no bracket form; the name is kept.
    Named(NamedShape),
}

/// A shape only reachable through `A@{ shape: name }`, classified by what it means in a
/// process chart. The exact mermaid name is kept in [`Node::shape_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NamedShape {
    /// Terminal-like shapes (`circle`, `sm-circ`, `fr-circ`, `stop`, ...).
    Terminal,
    /// Data and document shapes (`doc`, `docs`, `lin-doc`, `manual-input`, ...).
    Data,
    /// Every other named shape (`notch-rect`, `bolt`, `text`, ...).
    Other,
}

/// A node of the chart.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// The id as written (`A`, `start`, `node_1`).
    pub id: String,
    /// The shape from the last declaration that gave one.
    pub shape: Shape,
    /// For `@{ shape: name }` nodes, the shape name as written (`diam`, `lean-r`, ...).
    pub shape_name: Option<String>,
    /// The label text with quotes, markdown backticks and entities decoded and `<br>` turned
    /// into a newline. Equal to `id` when the node is never given a label.
    pub label: String,
    /// True when the node got a label from a declaration (not just its id).
    pub has_label: bool,
    /// Span of the first occurrence of the id.
    pub id_span: Span,
    /// Span of the declaration that set the label, brackets included.
    pub decl_span: Option<Span>,
    /// Span of the label text inside the brackets (quotes included when quoted).
    pub label_span: Option<Span>,
    /// Every place the id occurs (declarations, edges, `class`, `style`, `click`).
    pub occurrences: Vec<Span>,
    /// Class names from `:::name` and `class` statements.
    pub classes: Vec<String>,
    /// Index of the innermost subgraph the node was first declared in.
    pub subgraph: Option<usize>,
}

/// Line style of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stroke {
    /// `--`
    Normal,
    /// `==`
    Thick,
    /// `-.-`
    Dotted,
    /// `~~~`
    Invisible,
}

/// What an edge end looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ArrowHead {
    /// No head (`---`).
    None,
    /// `>` (or `<` at the start).
    Arrow,
    /// `o`
    Circle,
    /// `x`
    Cross,
}

/// An edge between two nodes. `A --> B & C` gives two edges.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// Index into [`Document::nodes`] of the source.
    pub from: usize,
    /// Index into [`Document::nodes`] of the target.
    pub to: usize,
    /// The edge label, decoded like node labels.
    pub label: Option<String>,
    /// Span of the label text.
    pub label_span: Option<Span>,
    /// The edge id from `e1@-->`.
    pub id: Option<String>,
    /// Line style.
    pub stroke: Stroke,
    /// Head at the source end (`<-->`, `o--o`, `x--x`).
    pub start_head: ArrowHead,
    /// Head at the target end.
    pub end_head: ArrowHead,
    /// Extra length: 1 for `-->`, 2 for `--->`, and so on.
    pub length: usize,
    /// Span of the link token including an inline label (`-- yes -->`, `-->|yes|`).
    pub span: Span,
}

/// A subgraph block.
#[derive(Debug, Clone, Serialize)]
pub struct Subgraph {
    /// The id (`subgraph one [Title]` gives `one`; an untitled `subgraph Title` gives the
    /// title text as id, as mermaid.js does).
    pub id: String,
    /// The title shown; the id when no title was given.
    pub title: String,
    /// `direction` inside the block, if any.
    pub direction: Option<Direction>,
    /// Indices of the nodes declared directly or indirectly inside.
    pub nodes: Vec<usize>,
    /// Index of the enclosing subgraph.
    pub parent: Option<usize>,
    /// From `subgraph` to the end of `end`.
    pub span: Span,
    /// Span of the id after `subgraph`.
    pub id_span: Span,
}

/// A `classDef` statement.
#[derive(Debug, Clone, Serialize)]
pub struct ClassDef {
    /// The class names defined (comma-separated in the source).
    pub names: Vec<String>,
    /// The style text after the names.
    pub styles: String,
    /// Span of the statement.
    pub span: Span,
}

/// A parsed flowchart: a value plus diagnostics, never a failure.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Document {
    /// Direction from the header.
    pub direction: Direction,
    /// Whether the header used `graph` (true) or `flowchart` (false).
    pub graph_keyword: bool,
    /// Span of the header keyword and direction.
    pub header_span: Span,
    /// Title from YAML front matter.
    pub title: Option<String>,
    /// Nodes in order of first appearance.
    pub nodes: Vec<Node>,
    /// Edges in source order.
    pub edges: Vec<Edge>,
    /// Subgraphs in order of their `subgraph` line.
    pub subgraphs: Vec<Subgraph>,
    /// `classDef` statements.
    pub class_defs: Vec<ClassDef>,
    /// Errors and warnings found while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Document {
    /// Index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|node| node.id == id)
    }

    /// True when parsing found at least one error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
