//! Structuring: turns the chart's graph into nested statements (sequence, if/elif/else,
//! while loops with break and continue, return) by dominator analysis, and falls back to a
//! state machine when the graph is not reducible.

mod graph;

use std::collections::HashSet;

pub use graph::VIRTUAL_EDGE;
use graph::{Analysis, Cfg};

/// One structured statement. Node and edge indices refer to the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// The code of one node.
    Node(usize),
    /// A branch at decision `node`; each arm is taken when its edge is taken. An arm with
    /// `edge: None` is the `else`.
    If {
        /// The decision node.
        node: usize,
        /// Arms in order; at most one `else` arm, always last.
        arms: Vec<Arm>,
    },
    /// A loop. With `stay_edge`, it runs while the header decision takes that edge;
    /// without, it is `while True`.
    While {
        /// The header decision node of a `while cond:` loop.
        header: Option<usize>,
        /// The edge of the header that stays in the loop.
        stay_edge: Option<usize>,
        /// The loop body.
        body: Vec<Stmt>,
        /// True when the loop has no exit at all.
        endless: bool,
    },
    /// A counted loop `for var in range(start, stop):`, made from a `while` loop whose
    /// header tests one variable that the node before initialises and the body's last node
    /// increments (see `counted`).
    For {
        /// The header decision node.
        header: usize,
        /// The loop variable.
        var: String,
        /// The `range(...)` arguments as written.
        range: String,
        /// The loop body without the increment.
        body: Vec<Stmt>,
    },
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `return` from the flow.
    Return,
}

/// An arm of an [`Stmt::If`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm {
    /// The chart edge whose condition selects this arm; `None` for `else`.
    pub edge: Option<usize>,
    /// The statements of the arm.
    pub body: Vec<Stmt>,
}

/// The structured form of a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// Nested statements.
    Structured(Vec<Stmt>),
    /// A `state` loop over node ids, used when the graph cannot be nested.
    StateMachine {
        /// Nodes to run first, in order (several when the chart has several starts).
        entries: Vec<usize>,
        /// Why structuring failed, for a comment in the generated code.
        reason: String,
    },
}

/// The graph as structuring sees it.
#[derive(Debug, Clone)]
pub struct FlowGraph {
    /// Number of nodes.
    pub nodes: usize,
    /// Control-flow edges as `(edge index, from, to)`.
    pub edges: Vec<(usize, usize, usize)>,
    /// Nodes that branch by condition (one arm runs); other nodes with several successors
    /// run every successor in turn.
    pub decision: Vec<bool>,
    /// Nodes labelled as a start terminal, preferred as entry.
    pub start: Vec<bool>,
    /// Nodes with code of their own; a loop header with code cannot be a `while` test.
    pub action: Vec<bool>,
    /// Nodes left out of this graph (moved into a subgraph function); may be shorter than
    /// `nodes`, missing entries mean "included".
    pub excluded: Vec<bool>,
    /// Where the flow starts, when the caller knows (a subgraph function's entry).
    pub entry: Option<usize>,
    /// Source order of nodes for choosing among possible starts; a node without an entry
    /// ranks by its index.
    pub rank: Vec<usize>,
}

impl FlowGraph {
    /// True when `node` is part of this graph.
    pub fn includes(&self, node: usize) -> bool {
        node < self.nodes && !self.excluded.get(node).copied().unwrap_or(false)
    }
}

/// Deepest nesting of blocks kept as nested code. CPython's tokenizer rejects 100 levels of
/// indentation, and marimo's own analysis hit Python's recursion limit on an `elif` chain of
/// about 200 arms (each arm nests one level in Python's syntax tree).
pub const MAX_DEPTH: usize = 40;

/// How deeply `stmts` nest blocks.
fn depth(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|stmt| match stmt {
            Stmt::If { arms, .. } => 1 + arms.iter().map(|a| depth(&a.body)).max().unwrap_or(0),
            Stmt::While { body, .. } | Stmt::For { body, .. } => 1 + depth(body),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Structures the graph; never fails (falls back to a state machine).
pub fn structure(flow: &FlowGraph) -> Program {
    let cfg = Cfg::new(
        flow.nodes,
        &flow.edges,
        &flow.start,
        &flow.excluded,
        flow.entry,
        &flow.rank,
    );
    let entries: Vec<usize> = if cfg.entry == flow.nodes {
        cfg.succ[cfg.entry].iter().map(|&(_, t)| t).collect()
    } else {
        vec![cfg.entry]
    };
    if flow.nodes == 0 {
        return Program::Structured(Vec::new());
    }
    let analysis = graph::analyze(&cfg);
    if !analysis.reducible {
        return Program::StateMachine {
            entries,
            reason: "the chart jumps into the middle of a loop, so it cannot be written as \
                     nested loops"
                .into(),
        };
    }
    let mut emitter = Emitter::new(flow, &cfg, &analysis);
    let mut out = Vec::new();
    match emitter.seq(cfg.entry, &Ctx::default(), &mut out, false) {
        Ok(()) => {
            cleanup(&mut out, Tail::Function);
            if depth(&out) > MAX_DEPTH {
                return Program::StateMachine {
                    entries,
                    reason: format!(
                        "its decisions and loops nest more than {MAX_DEPTH} levels deep, past \
                         what Python and marimo parse reliably"
                    ),
                };
            }
            Program::Structured(out)
        }
        Err(reason) => Program::StateMachine { entries, reason },
    }
}

#[derive(Debug, Clone)]
struct LoopInfo {
    follow: Option<usize>,
    stay_edge: Option<usize>,
}

#[derive(Debug, Clone, Default)]
struct Ctx {
    loops: Vec<usize>,
    stops: Vec<usize>,
}

struct Emitter<'a> {
    flow: &'a FlowGraph,
    cfg: &'a Cfg,
    ipdom: &'a [Option<usize>],
    loops: Vec<Option<LoopInfo>>,
    budget: usize,
}

impl<'a> Emitter<'a> {
    fn new(flow: &'a FlowGraph, cfg: &'a Cfg, analysis: &'a Analysis) -> Self {
        let mut sources: Vec<Vec<usize>> = vec![Vec::new(); cfg.len()];
        for &(from, k) in &analysis.back_edges {
            sources[cfg.succ[from][k].1].push(from);
        }
        let mut loops = vec![None; cfg.len()];
        let preds = graph::predecessors(cfg);
        for (header, srcs) in sources.iter().enumerate() {
            if srcs.is_empty() {
                continue;
            }
            let body = graph::natural_loop(&preds, header, srcs);
            loops[header] = Some(loop_info(flow, cfg, header, body));
        }
        let budget = 8 * cfg.len() + 64;
        Emitter {
            flow,
            cfg,
            ipdom: &analysis.ipdom,
            loops,
            budget,
        }
    }

    fn is_decision(&self, node: usize) -> bool {
        node < self.flow.nodes && self.flow.decision[node]
    }

    /// Emits statements from `start` until a stop, a loop edge or the end of the flow.
    fn seq(
        &mut self,
        start: usize,
        ctx: &Ctx,
        out: &mut Vec<Stmt>,
        at_header: bool,
    ) -> Result<(), String> {
        let mut node = start;
        let mut first = true;
        loop {
            if self.budget == 0 {
                return Err(
                    "the chart has too many crossing paths to nest without copying \
                            large parts of it"
                        .into(),
                );
            }
            self.budget -= 1;
            let skip_loop_checks = first && at_header;
            if ctx.stops.last() == Some(&node) {
                return Ok(());
            }
            if ctx.stops.contains(&node) {
                return Err(format!("a branch leaves its decision through node {node}"));
            }
            if !skip_loop_checks {
                if let Some(done) = self.loop_exit(node, ctx, out)? {
                    return done;
                }
                if let Some(info) = self.loops[node].clone() {
                    self.emit_loop(node, &info, ctx, out)?;
                    match info.follow {
                        Some(follow) => {
                            node = follow;
                            first = false;
                            continue;
                        }
                        None => return Ok(()),
                    }
                }
            }
            let succ = &self.cfg.succ[node];
            let decision = self.is_decision(node) && succ.len() > 1;
            if node < self.flow.nodes && (!decision || self.flow.action[node]) {
                out.push(Stmt::Node(node));
            }
            match succ.len() {
                0 => {
                    if !ctx.loops.is_empty() {
                        out.push(Stmt::Return);
                    }
                    return Ok(());
                }
                1 => node = succ[0].1,
                _ => {
                    let join = self.ipdom[node];
                    let mut inner = ctx.clone();
                    if let Some(join) = join {
                        inner.stops.push(join);
                    }
                    let targets: Vec<(usize, usize)> = succ.clone();
                    if decision {
                        let mut arms = Vec::new();
                        for (edge, target) in targets {
                            let mut body = Vec::new();
                            self.seq(target, &inner, &mut body, false)?;
                            arms.push(Arm {
                                edge: Some(edge),
                                body,
                            });
                        }
                        out.push(Stmt::If { node, arms });
                    } else {
                        for (_, target) in targets {
                            self.seq(target, &inner, out, false)?;
                        }
                    }
                    match join {
                        Some(join) => node = join,
                        None => return Ok(()),
                    }
                }
            }
            first = false;
        }
    }

    /// Handles reaching a loop header (`continue`) or follow (`break`) of an enclosing loop.
    fn loop_exit(
        &self,
        node: usize,
        ctx: &Ctx,
        out: &mut Vec<Stmt>,
    ) -> Result<Option<Result<(), String>>, String> {
        let Some((&innermost, outer)) = ctx.loops.split_last() else {
            return Ok(None);
        };
        if node == innermost {
            out.push(Stmt::Continue);
            return Ok(Some(Ok(())));
        }
        let info = self.loops[innermost]
            .as_ref()
            .ok_or("loop without analysis")?;
        if info.follow == Some(node) {
            out.push(Stmt::Break);
            return Ok(Some(Ok(())));
        }
        for &header in outer {
            let follow = self.loops[header].as_ref().and_then(|l| l.follow);
            if node == header || follow == Some(node) {
                return Err("a path leaves two nested loops at once".into());
            }
        }
        Ok(None)
    }

    fn emit_loop(
        &mut self,
        header: usize,
        info: &LoopInfo,
        ctx: &Ctx,
        out: &mut Vec<Stmt>,
    ) -> Result<(), String> {
        let mut inner = ctx.clone();
        inner.loops.push(header);
        inner.stops.clear();
        let mut body = Vec::new();
        let endless = info.follow.is_none();
        match info.stay_edge {
            Some(edge) => {
                let target = self.cfg.succ[header]
                    .iter()
                    .find(|&&(e, _)| e == edge)
                    .map(|&(_, t)| t)
                    .ok_or("loop edge missing")?;
                self.seq(target, &inner, &mut body, false)?;
                cleanup(&mut body, Tail::Loop);
                out.push(Stmt::While {
                    header: Some(header),
                    stay_edge: Some(edge),
                    body,
                    endless,
                });
            }
            None => {
                self.seq(header, &inner, &mut body, true)?;
                cleanup(&mut body, Tail::Loop);
                out.push(Stmt::While {
                    header: None,
                    stay_edge: None,
                    body,
                    endless,
                });
            }
        }
        Ok(())
    }
}

fn loop_info(flow: &FlowGraph, cfg: &Cfg, header: usize, body: HashSet<usize>) -> LoopInfo {
    let mut exits: Vec<(usize, usize)> = Vec::new(); // (target, count)
    let mut members: Vec<usize> = body.iter().copied().collect();
    members.sort_unstable();
    for node in members {
        for &(_, target) in &cfg.succ[node] {
            if body.contains(&target) {
                continue;
            }
            match exits.iter_mut().find(|(t, _)| *t == target) {
                Some((_, count)) => *count += 1,
                None => exits.push((target, 1)),
            }
        }
    }
    let header_is_decision = header < flow.nodes && flow.decision[header] && !flow.action[header];
    let header_edges = &cfg.succ[header];
    if header_is_decision && header_edges.len() == 2 {
        let inside: Vec<_> = header_edges
            .iter()
            .filter(|(_, t)| body.contains(t))
            .collect();
        let outside: Vec<_> = header_edges
            .iter()
            .filter(|(_, t)| !body.contains(t))
            .collect();
        if let ([stay], [exit]) = (inside.as_slice(), outside.as_slice()) {
            return LoopInfo {
                follow: Some(exit.1),
                stay_edge: Some(stay.0),
            };
        }
    }
    let follow = exits
        .iter()
        .max_by_key(|&&(target, count)| (count, std::cmp::Reverse(target)))
        .map(|&(t, _)| t);
    LoopInfo {
        follow,
        stay_edge: None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    Function,
    Loop,
    None,
}

/// Tidies emitted statements: drops jumps that change nothing at the end of a block and
/// code after a jump, turns `else: if` into `elif`, and flips an `if` with an empty first
/// arm.
fn cleanup(stmts: &mut Vec<Stmt>, tail: Tail) {
    // `if c: ... else: continue` then `break`: the jump after the `if` belongs to the arms
    // that fall through, so each arm ends in its own jump and the reader sees both exits.
    for i in 1..stmts.len() {
        let jump = match &stmts[i] {
            Stmt::Break | Stmt::Continue | Stmt::Return => stmts[i].clone(),
            _ => continue,
        };
        if let Stmt::If { arms, .. } = &mut stmts[i - 1]
            && arms.len() > 1
        {
            for arm in arms.iter_mut() {
                if !arm.body.last().is_some_and(ends_in_jump) {
                    arm.body.push(jump.clone());
                }
            }
        }
    }
    if let Some(cut) = stmts.iter().position(ends_in_jump) {
        stmts.truncate(cut + 1);
    }
    let len = stmts.len();
    for (i, stmt) in stmts.iter_mut().enumerate() {
        let inner_tail = if i + 1 == len { tail } else { Tail::None };
        match stmt {
            Stmt::If { arms, .. } => {
                for arm in arms.iter_mut() {
                    cleanup(&mut arm.body, inner_tail);
                }
            }
            Stmt::While { body, .. } | Stmt::For { body, .. } => cleanup(body, Tail::Loop),
            _ => {}
        }
    }
    let redundant = matches!(
        (stmts.last(), tail),
        (Some(Stmt::Continue), Tail::Loop) | (Some(Stmt::Return), Tail::Function)
    );
    if redundant {
        stmts.pop();
    }
}

fn ends_in_jump(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Break | Stmt::Continue | Stmt::Return => true,
        Stmt::If { arms, .. } => {
            arms.len() > 1
                && arms
                    .iter()
                    .all(|arm| arm.body.last().is_some_and(ends_in_jump))
        }
        Stmt::While { endless, body, .. } => *endless && !contains_break(body),
        Stmt::Node(_) | Stmt::For { .. } => false,
    }
}

fn contains_break(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break => true,
        Stmt::If { arms, .. } => arms.iter().any(|a| contains_break(&a.body)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(n: usize, edges: &[(usize, usize)], decisions: &[usize]) -> FlowGraph {
        FlowGraph {
            nodes: n,
            edges: edges
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| (i, a, b))
                .collect(),
            decision: (0..n).map(|i| decisions.contains(&i)).collect(),
            start: vec![false; n],
            action: vec![false; n],
            excluded: Vec::new(),
            entry: None,
            rank: Vec::new(),
        }
    }

    #[test]
    fn straight_line() {
        let p = structure(&flow(3, &[(0, 1), (1, 2)], &[]));
        assert_eq!(
            p,
            Program::Structured(vec![Stmt::Node(0), Stmt::Node(1), Stmt::Node(2)])
        );
    }

    #[test]
    fn if_else_joins() {
        // 0 -> 1{?} -> 2 | 3 -> 4
        let p = structure(&flow(5, &[(0, 1), (1, 2), (1, 3), (2, 4), (3, 4)], &[1]));
        let Program::Structured(stmts) = p else {
            panic!("expected structured")
        };
        assert_eq!(stmts.len(), 3);
        assert_eq!(
            stmts[1],
            Stmt::If {
                node: 1,
                arms: vec![
                    Arm {
                        edge: Some(1),
                        body: vec![Stmt::Node(2)]
                    },
                    Arm {
                        edge: Some(2),
                        body: vec![Stmt::Node(3)]
                    },
                ]
            }
        );
        assert_eq!(stmts[2], Stmt::Node(4));
    }

    #[test]
    fn while_loop_with_header_test() {
        // 0 -> 1{?}; 1 -yes-> 2 -> 1; 1 -no-> 3
        let p = structure(&flow(4, &[(0, 1), (1, 2), (2, 1), (1, 3)], &[1]));
        let Program::Structured(stmts) = p else {
            panic!("expected structured")
        };
        assert_eq!(
            stmts,
            vec![
                Stmt::Node(0),
                Stmt::While {
                    header: Some(1),
                    stay_edge: Some(1),
                    body: vec![Stmt::Node(2)],
                    endless: false
                },
                Stmt::Node(3),
            ]
        );
    }

    #[test]
    fn irreducible_falls_back() {
        let p = structure(&flow(3, &[(0, 1), (0, 2), (1, 2), (2, 1)], &[0]));
        assert!(matches!(p, Program::StateMachine { .. }));
    }
}
