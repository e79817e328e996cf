//! Counted loops: rewrites `i = a; while i < b: ...; i += 1` as `for i in range(a, b):`
//! when that changes nothing the chart can observe.

use std::collections::BTreeSet;

use crate::program::{ChartProgram, NodeCode};
use crate::pytext;
use crate::structure::{Program, Stmt};

/// Rewrites every qualifying `while` loop of a structured program.
pub fn rewrite(program: &mut Program, chart: &ChartProgram) {
    let Program::Structured(stmts) = program else {
        return;
    };
    let snapshot = stmts.clone();
    rewrite_block(stmts, chart, &snapshot);
}

fn rewrite_block(stmts: &mut Vec<Stmt>, chart: &ChartProgram, whole: &[Stmt]) {
    for stmt in stmts.iter_mut() {
        match stmt {
            Stmt::If { arms, .. } => {
                for arm in arms.iter_mut() {
                    rewrite_block(&mut arm.body, chart, whole);
                }
            }
            Stmt::While { body, .. } | Stmt::For { body, .. } => rewrite_block(body, chart, whole),
            _ => {}
        }
    }
    let mut i = 1;
    while i < stmts.len() {
        match counted_loop(&stmts[i - 1], &stmts[i], chart, whole) {
            Some(counted) => {
                stmts[i - 1] = counted;
                stmts.remove(i);
            }
            None => i += 1,
        }
    }
}

/// The `for` loop that `init` followed by `looped` amounts to, if it is a counted loop.
fn counted_loop(init: &Stmt, looped: &Stmt, chart: &ChartProgram, whole: &[Stmt]) -> Option<Stmt> {
    let (
        Stmt::Node(init_node),
        Stmt::While {
            header: Some(header),
            stay_edge: Some(edge),
            body,
            ..
        },
    ) = (init, looped)
    else {
        return None;
    };
    let (var, start) = single_assignment(chart, *init_node)?;
    let decision = chart.decisions.get(header)?;
    if decision.before.is_some() {
        return None;
    }
    let test = decision.condition_for(*edge);
    let stop = upper_bound(&test, &var)?;
    let (Stmt::Node(step_node), rest) = body.split_last()? else {
        return None;
    };
    if !is_increment(chart, *step_node, &var) {
        return None;
    }
    let mut assigned = BTreeSet::new();
    let mut loop_nodes = BTreeSet::from([*header, *step_node, *init_node]);
    if contains_own_continue(rest) || !collect_nodes(rest, chart, &mut assigned, &mut loop_nodes) {
        return None;
    }
    let stop_names: BTreeSet<String> = names(&stop).into_iter().collect();
    if assigned.contains(&var) || stop_names.iter().any(|n| assigned.contains(n)) {
        return None;
    }
    // After a `for` loop the variable holds the last value, not the bound, so nothing outside
    // the loop may read it.
    if used_outside(whole, chart, &var, &loop_nodes) {
        return None;
    }
    let range = if start.trim() == "0" {
        stop
    } else {
        format!("{}, {stop}", start.trim())
    };
    Some(Stmt::For {
        header: *header,
        var,
        range,
        body: rest.to_vec(),
    })
}

fn single_assignment(chart: &ChartProgram, node: usize) -> Option<(String, String)> {
    let NodeCode::Lines(lines) = &chart.code[node] else {
        return None;
    };
    let [line] = lines.as_slice() else {
        return None;
    };
    let (target, value) = line.split_once('=')?;
    let target = target.trim();
    if !pytext::is_identifier(target)
        || value.starts_with('=')
        || target.ends_with(['!', '<', '>', '+', '-', '*', '/', '%'])
    {
        return None;
    }
    Some((target.to_string(), value.trim().to_string()))
}

/// `i < b` gives `b`; `i <= b` gives `b + 1`.
fn upper_bound(test: &str, var: &str) -> Option<String> {
    let rest = test.trim().strip_prefix(var)?.trim_start();
    let (inclusive, bound) = if let Some(bound) = rest.strip_prefix("<=") {
        (true, bound.trim())
    } else {
        (false, rest.strip_prefix('<')?.trim())
    };
    if bound.is_empty() || bound.contains(" and ") || bound.contains(" or ") || bound.contains('<')
    {
        return None;
    }
    if pytext::classify(&format!("({bound})")) != pytext::CodeKind::Expression {
        return None;
    }
    if !inclusive {
        return Some(bound.to_string());
    }
    match bound.parse::<i64>() {
        Ok(value) => Some((value + 1).to_string()),
        Err(_) => Some(format!("{bound} + 1")),
    }
}

fn is_increment(chart: &ChartProgram, node: usize, var: &str) -> bool {
    let NodeCode::Lines(lines) = &chart.code[node] else {
        return false;
    };
    let [line] = lines.as_slice() else {
        return false;
    };
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact == format!("{var}+=1") || compact == format!("{var}={var}+1")
}

fn names(code: &str) -> Vec<String> {
    pytext::name_tokens(code)
        .into_iter()
        .map(|(s, e)| code[s..e].to_string())
        .collect()
}

/// Collects the nodes of `stmts` and the names they assign; false for anything it cannot
/// judge.
fn collect_nodes(
    stmts: &[Stmt],
    chart: &ChartProgram,
    assigned: &mut BTreeSet<String>,
    nodes: &mut BTreeSet<usize>,
) -> bool {
    for stmt in stmts {
        match stmt {
            Stmt::Node(n) => {
                nodes.insert(*n);
                assigned.extend(chart.code[*n].assigned());
            }
            Stmt::If { node, arms } => {
                nodes.insert(*node);
                if let Some(before) = chart.decisions.get(node).and_then(|d| d.before.as_ref()) {
                    assigned.extend(crate::program::assigned_names(before));
                }
                for arm in arms {
                    if !collect_nodes(&arm.body, chart, assigned, nodes) {
                        return false;
                    }
                }
            }
            Stmt::While { header, body, .. } => {
                nodes.extend(*header);
                if !collect_nodes(body, chart, assigned, nodes) {
                    return false;
                }
            }
            Stmt::For {
                header, var, body, ..
            } => {
                nodes.insert(*header);
                assigned.insert(var.clone());
                if !collect_nodes(body, chart, assigned, nodes) {
                    return false;
                }
            }
            Stmt::Break | Stmt::Return | Stmt::Continue => {}
        }
    }
    true
}

/// True when `stmts` has a `continue` for this loop (not one inside a nested loop).
fn contains_own_continue(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|stmt| match stmt {
        Stmt::Continue => true,
        Stmt::If { arms, .. } => arms.iter().any(|arm| contains_own_continue(&arm.body)),
        _ => false,
    })
}

/// True when a node outside `inside` reads or writes `var`.
fn used_outside(stmts: &[Stmt], chart: &ChartProgram, var: &str, inside: &BTreeSet<usize>) -> bool {
    let node_uses = |n: usize| -> bool {
        if inside.contains(&n) {
            return false;
        }
        let mut code = chart.code[n].texts();
        if let Some(decision) = chart.decisions.get(&n) {
            code.extend(decision.branches.iter().filter_map(|b| b.condition.clone()));
            code.extend(decision.before.iter().cloned());
        }
        code.iter()
            .any(|line| names(line).iter().any(|name| name == var))
    };
    stmts.iter().any(|stmt| match stmt {
        Stmt::Node(n) => node_uses(*n),
        Stmt::If { node, arms } => {
            node_uses(*node)
                || arms
                    .iter()
                    .any(|arm| used_outside(&arm.body, chart, var, inside))
        }
        Stmt::While { header, body, .. } => {
            header.is_some_and(node_uses) || used_outside(body, chart, var, inside)
        }
        Stmt::For { header, body, .. } => {
            node_uses(*header) || used_outside(body, chart, var, inside)
        }
        Stmt::Break | Stmt::Continue | Stmt::Return => false,
    })
}
