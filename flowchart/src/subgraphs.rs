//! Subgraph functions: a subgraph with one way in and one way out becomes a function named
//! after it, and the main flow calls it where the subgraph was.

use std::collections::BTreeSet;

use crate::ast::Document;
use crate::counted;
use crate::program::{Call, ChartProgram, NodeCode};
use crate::pytext;
use crate::structure::{self, FlowGraph, Program};

/// A function made from a subgraph.
#[derive(Debug, Clone)]
pub struct Function {
    /// Function name, from the subgraph's id or title.
    pub name: String,
    /// The subgraph's title, for the docstring.
    pub title: String,
    /// Parameters: variables the subgraph reads that are set outside it.
    pub params: Vec<String>,
    /// Results: variables the subgraph sets that are read outside it.
    pub returns: Vec<String>,
    /// Inputs read inside, with whether the read repeats (see [`Call::reads`]).
    pub reads: Vec<(String, bool)>,
    /// The function's own graph (the subgraph's nodes, plus an exit node).
    pub flow: FlowGraph,
    /// Its structured body.
    pub program: Program,
}

/// Moves every qualifying subgraph into a function, innermost first, and rewires the
/// chart's flow to call it. Returns the functions in the order they must be defined.
pub fn extract(
    doc: &Document,
    chart: &mut ChartProgram,
    taken: &mut BTreeSet<String>,
) -> Vec<Function> {
    let mut order: Vec<usize> = (0..doc.subgraphs.len()).collect();
    order.sort_by_key(|&s| std::cmp::Reverse(depth(doc, s)));
    let mut members: Vec<BTreeSet<usize>> = doc
        .subgraphs
        .iter()
        .map(|s| s.nodes.iter().copied().collect())
        .collect();
    let mut functions = Vec::new();
    let mut next_edge = doc.edges.len();
    for s in order {
        let Some(function) = extract_one(doc, chart, s, &members[s], &mut next_edge, taken) else {
            continue;
        };
        let call_node = chart.flow.nodes - 1;
        // The call node stands for the subgraph inside every enclosing subgraph.
        let moved = members[s].clone();
        let mut parent = doc.subgraphs[s].parent;
        while let Some(p) = parent {
            members[p].retain(|n| !moved.contains(n));
            members[p].insert(call_node);
            parent = doc.subgraphs[p].parent;
        }
        functions.push(function);
    }
    functions
}

fn depth(doc: &Document, subgraph: usize) -> usize {
    let mut depth = 0;
    let mut current = doc.subgraphs[subgraph].parent;
    while let Some(p) = current {
        depth += 1;
        current = doc.subgraphs.get(p).and_then(|s| s.parent);
    }
    depth
}

fn extract_one(
    doc: &Document,
    chart: &mut ChartProgram,
    s: usize,
    members: &BTreeSet<usize>,
    next_edge: &mut usize,
    taken: &mut BTreeSet<String>,
) -> Option<Function> {
    let flow = &chart.flow;
    let inside: BTreeSet<usize> = members
        .iter()
        .copied()
        .filter(|&n| flow.includes(n))
        .collect();
    if inside.len() < 2 {
        return None;
    }
    let entries: BTreeSet<usize> = flow
        .edges
        .iter()
        .filter(|(_, from, to)| !inside.contains(from) && inside.contains(to))
        .map(|&(_, _, to)| to)
        .collect();
    let exits: BTreeSet<usize> = flow
        .edges
        .iter()
        .filter(|(_, from, to)| inside.contains(from) && !inside.contains(to))
        .map(|&(_, _, to)| to)
        .collect();
    let (Some(&entry), Some(&exit)) = (entries.first(), exits.first()) else {
        return None;
    };
    if entries.len() != 1 || exits.len() != 1 {
        return None;
    }
    // An end inside the subgraph would end the whole flow from within the function.
    let ends_inside = inside
        .iter()
        .any(|&n| !flow.edges.iter().any(|&(_, from, _)| from == n));
    if ends_inside || flow.start.get(entry).copied().unwrap_or(false) {
        return None;
    }

    let (params, returns, reads) = interface(chart, &inside);
    let name = function_name(doc, s, taken);
    taken.insert(name.clone());

    // The function's graph: the inside edges, and the exits led to a new empty exit node.
    let exit_node = chart.flow.nodes;
    let call_node = exit_node + 1;
    let mut sub = chart.flow.clone();
    sub.nodes = call_node;
    sub.edges = chart
        .flow
        .edges
        .iter()
        .filter(|(_, from, _)| inside.contains(from))
        .map(|&(e, from, to)| {
            if inside.contains(&to) {
                (e, from, to)
            } else {
                (e, from, exit_node)
            }
        })
        .collect();
    sub.excluded = (0..call_node)
        .map(|n| !inside.contains(&n) && n != exit_node)
        .collect();
    sub.entry = Some(entry);
    for list in [&mut sub.decision, &mut sub.start, &mut sub.action] {
        list.resize(call_node, false);
    }

    // The main graph: the subgraph shrinks to one call node.
    let main = &mut chart.flow;
    main.edges
        .retain(|(_, from, to)| !inside.contains(from) || inside.contains(to));
    for edge in main.edges.iter_mut() {
        if edge.2 == entry && !inside.contains(&edge.1) {
            edge.2 = call_node;
        }
    }
    main.edges
        .retain(|(_, from, to)| !(inside.contains(from) && inside.contains(to)));
    main.edges.push((*next_edge, call_node, exit));
    *next_edge += 1;
    main.nodes = call_node + 1;
    main.excluded.resize(call_node + 1, false);
    for &n in &inside {
        main.excluded[n] = true;
    }
    main.excluded[exit_node] = true;
    for list in [&mut main.decision, &mut main.start, &mut main.action] {
        list.resize(call_node + 1, false);
    }
    main.action[call_node] = true;
    let entry_rank = main.rank.get(entry).copied().unwrap_or(entry);
    main.rank.resize(call_node + 1, usize::MAX);
    main.rank[call_node] = entry_rank;
    chart.code.push(NodeCode::Nothing);
    chart.code.push(NodeCode::Call(Call {
        name: name.clone(),
        params: params.clone(),
        returns: returns.clone(),
        reads: reads.clone(),
    }));

    let mut program = structure::structure(&sub);
    counted::rewrite(&mut program, chart);
    let title = doc.subgraphs[s].title.clone();
    Some(Function {
        name,
        title,
        params,
        returns,
        reads,
        flow: sub,
        program,
    })
}

/// Parameters, results and inputs of the subgraph's code.
fn interface(
    chart: &ChartProgram,
    inside: &BTreeSet<usize>,
) -> (Vec<String>, Vec<String>, Vec<(String, bool)>) {
    let texts = |n: usize| -> Vec<String> {
        let mut code = chart.code[n].texts();
        if let Some(decision) = chart.decisions.get(&n) {
            code.extend(decision.branches.iter().filter_map(|b| b.condition.clone()));
            code.extend(decision.before.iter().cloned());
        }
        code
    };
    let names_in = |n: usize| -> BTreeSet<String> {
        texts(n)
            .iter()
            .flat_map(|line| {
                pytext::name_tokens(line)
                    .into_iter()
                    .map(|(a, b)| line[a..b].to_string())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let mut used_inside = BTreeSet::new();
    let mut set_inside = BTreeSet::new();
    let mut reads = Vec::new();
    for &n in inside {
        used_inside.extend(names_in(n));
        set_inside.extend(chart.code[n].assigned());
        if let NodeCode::Read { names, .. } = &chart.code[n] {
            for name in names {
                let repeated = chart.inputs.iter().any(|i| &i.name == name && i.repeated);
                if !reads.iter().any(|(r, _): &(String, bool)| r == name) {
                    reads.push((name.clone(), repeated));
                }
            }
        }
        if let NodeCode::Call(call) = &chart.code[n] {
            for read in &call.reads {
                if !reads.contains(read) {
                    reads.push(read.clone());
                }
            }
        }
    }
    let mut used_outside = BTreeSet::new();
    let mut set_outside = BTreeSet::new();
    for n in (0..chart.code.len()).filter(|n| !inside.contains(n)) {
        used_outside.extend(names_in(n));
        set_outside.extend(chart.code[n].assigned());
    }
    let variables: BTreeSet<&String> = chart.names.iter().collect();
    let inputs: BTreeSet<&String> = chart
        .inputs
        .iter()
        .filter(|i| i.free)
        .map(|i| &i.name)
        .collect();
    let read_names: BTreeSet<&String> = reads.iter().map(|(name, _)| name).collect();
    let params = used_inside
        .iter()
        .filter(|name| variables.contains(name) && !chart.stubs.iter().any(|s| &&s.name == name))
        .filter(|name| set_outside.contains(*name) || inputs.contains(name))
        .filter(|name| !read_names.contains(name))
        .cloned()
        .collect();
    let returns = set_inside
        .iter()
        .filter(|name| used_outside.contains(*name))
        .cloned()
        .collect();
    (params, returns, reads)
}

fn function_name(doc: &Document, s: usize, taken: &BTreeSet<String>) -> String {
    let subgraph = &doc.subgraphs[s];
    let base = pytext::snake_case(&subgraph.id, 5)
        .or_else(|| pytext::snake_case(&subgraph.title, 5))
        .unwrap_or_else(|| "subgraph".to_string());
    let base = if crate::pyscope::is_builtin(&base) {
        format!("{base}_step")
    } else {
        base
    };
    let mut name = base.clone();
    let mut counter = 2;
    while taken.contains(&name) {
        name = format!("{base}_{counter}");
        counter += 1;
    }
    name
}
