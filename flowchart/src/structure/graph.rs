//! Control-flow graph analysis: entry choice, depth-first back edges, dominators,
//! post-dominators and natural loops.

use std::collections::HashSet;

/// A control-flow graph over the chart's nodes, plus a virtual entry when the chart has
/// several starts (its index is the number of chart nodes).
#[derive(Debug, Clone)]
pub struct Cfg {
    /// Successors of every node as `(edge index, target)`; the virtual entry's edges use
    /// `usize::MAX` as edge index.
    pub succ: Vec<Vec<(usize, usize)>>,
    /// Where execution starts.
    pub entry: usize,
}

/// Marker for edges that do not come from the chart.
pub const VIRTUAL_EDGE: usize = usize::MAX;

impl Cfg {
    /// Builds the graph from chart edges and picks the entry: `entry` when given, then nodes
    /// without incoming edges (those marked `preferred_start` first), then the first node of
    /// every part no earlier root reaches, earlier `rank` first (a node's index when `rank`
    /// has no entry for it). `excluded` nodes are left out entirely.
    pub fn new(
        real: usize,
        edges: &[(usize, usize, usize)],
        preferred_start: &[bool],
        excluded: &[bool],
        entry: Option<usize>,
        rank: &[usize],
    ) -> Cfg {
        let rank_of = |n: usize| rank.get(n).copied().unwrap_or(n);
        let left_out = |n: usize| excluded.get(n).copied().unwrap_or(false);
        let mut succ = vec![Vec::new(); real];
        let mut indegree = vec![0usize; real];
        for &(index, from, to) in edges {
            if from < real && to < real && !left_out(from) && !left_out(to) {
                succ[from].push((index, to));
                indegree[to] += 1;
            }
        }
        let mut roots: Vec<usize> = entry
            .filter(|&e| e < real && !left_out(e))
            .into_iter()
            .collect();
        let mut sources: Vec<usize> = (0..real)
            .filter(|&n| indegree[n] == 0 && !left_out(n) && !roots.contains(&n))
            .collect();
        sources.sort_by_key(|&n| (!preferred_start[n], rank_of(n)));
        roots.extend(sources);
        let mut reached = vec![false; real];
        for n in (0..real).filter(|&n| left_out(n)) {
            reached[n] = true;
        }
        for &root in &roots {
            mark_reachable(&succ, root, &mut reached);
        }
        while let Some(next) = (0..real)
            .filter(|&n| !reached[n])
            .min_by_key(|&n| (!preferred_start[n], rank_of(n)))
        {
            roots.push(next);
            mark_reachable(&succ, next, &mut reached);
        }
        if roots.len() == 1 {
            return Cfg {
                succ,
                entry: roots[0],
            };
        }
        let entry = real;
        succ.push(roots.into_iter().map(|root| (VIRTUAL_EDGE, root)).collect());
        Cfg { succ, entry }
    }

    /// Number of nodes including the virtual entry.
    pub fn len(&self) -> usize {
        self.succ.len()
    }
}

fn mark_reachable(succ: &[Vec<(usize, usize)>], root: usize, reached: &mut [bool]) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut reached[n], true) {
            continue;
        }
        stack.extend(succ[n].iter().map(|&(_, t)| t).filter(|&t| !reached[t]));
    }
}

/// Results of the depth-first walk from the entry.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// `(source, edge index in succ[source])` of every back edge.
    pub back_edges: Vec<(usize, usize)>,
    /// Immediate post-dominator over forward edges (`None` means the virtual exit).
    pub ipdom: Vec<Option<usize>>,
    /// True when every back edge's target dominates its source.
    pub reducible: bool,
}

/// Runs the depth-first walk, dominators and post-dominators.
pub fn analyze(cfg: &Cfg) -> Analysis {
    let n = cfg.len();
    let (rpo, back_edges) = depth_first(cfg);
    let mut preds = vec![Vec::new(); n];
    for (from, edges) in cfg.succ.iter().enumerate() {
        for &(_, to) in edges {
            preds[to].push(from);
        }
    }
    let idom = dominators(&rpo, &preds, cfg.entry, n);
    let reducible = back_edges.iter().all(|&(from, k)| {
        let target = cfg.succ[from][k].1;
        dominates(&idom, target, from)
    });
    let is_back = |from: usize, k: usize| back_edges.contains(&(from, k));
    // Post-dominators: dominators of the reversed forward graph rooted at a virtual exit.
    let exit = n;
    let mut rsucc = vec![Vec::new(); n + 1];
    let mut rpreds = vec![Vec::new(); n + 1];
    for &from in &rpo {
        let mut has_forward = false;
        for (k, &(_, to)) in cfg.succ[from].iter().enumerate() {
            if !is_back(from, k) {
                has_forward = true;
                rsucc[to].push(from);
                rpreds[from].push(to);
            }
        }
        if !has_forward {
            rsucc[exit].push(from);
            rpreds[from].push(exit);
        }
    }
    let reverse_order = post_order(&rsucc, exit);
    let ipdom_full = dominators(&reverse_order, &rpreds, exit, n + 1);
    let ipdom = (0..n)
        .map(|v| ipdom_full[v].filter(|&d| d != exit))
        .collect();
    Analysis {
        back_edges,
        ipdom,
        reducible,
    }
}

fn depth_first(cfg: &Cfg) -> (Vec<usize>, Vec<(usize, usize)>) {
    let n = cfg.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut order = Vec::with_capacity(n);
    let mut back = Vec::new();
    let mut stack: Vec<(usize, usize)> = vec![(cfg.entry, 0)];
    state[cfg.entry] = 1;
    while let Some(&mut (node, ref mut next)) = stack.last_mut() {
        if let Some(&(_, target)) = cfg.succ[node].get(*next) {
            let k = *next;
            *next += 1;
            match state[target] {
                0 => {
                    state[target] = 1;
                    stack.push((target, 0));
                }
                1 => back.push((node, k)),
                _ => {}
            }
        } else {
            state[node] = 2;
            order.push(node);
            stack.pop();
        }
    }
    order.reverse();
    (order, back)
}

fn post_order(succ: &[Vec<usize>], root: usize) -> Vec<usize> {
    let mut seen = vec![false; succ.len()];
    let mut order = Vec::new();
    let mut stack = vec![(root, 0usize)];
    seen[root] = true;
    while let Some(&mut (node, ref mut next)) = stack.last_mut() {
        if let Some(&target) = succ[node].get(*next) {
            *next += 1;
            if !seen[target] {
                seen[target] = true;
                stack.push((target, 0));
            }
        } else {
            order.push(node);
            stack.pop();
        }
    }
    order.reverse();
    order
}

/// Cooper, Harvey and Kennedy's iterative dominator algorithm over a reverse post-order.
fn dominators(rpo: &[usize], preds: &[Vec<usize>], root: usize, n: usize) -> Vec<Option<usize>> {
    let mut position = vec![usize::MAX; n];
    for (i, &v) in rpo.iter().enumerate() {
        position[v] = i;
    }
    let mut idom: Vec<Option<usize>> = vec![None; n];
    idom[root] = Some(root);
    let mut changed = true;
    while changed {
        changed = false;
        for &v in rpo.iter().skip(1) {
            let mut new: Option<usize> = None;
            for &p in &preds[v] {
                if idom[p].is_none() || position[p] == usize::MAX {
                    continue;
                }
                new = Some(match new {
                    None => p,
                    Some(current) => intersect(&idom, &position, p, current),
                });
            }
            if new.is_some() && idom[v] != new {
                idom[v] = new;
                changed = true;
            }
        }
    }
    idom[root] = None;
    idom
}

fn intersect(idom: &[Option<usize>], position: &[usize], a: usize, b: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while a != b {
        while position[a] > position[b] {
            match idom[a] {
                Some(next) if next != a => a = next,
                _ => return b,
            }
        }
        while position[b] > position[a] {
            match idom[b] {
                Some(next) if next != b => b = next,
                _ => return a,
            }
        }
    }
    a
}

/// True when `a` dominates `b` (every node dominates itself).
pub fn dominates(idom: &[Option<usize>], a: usize, b: usize) -> bool {
    let mut current = b;
    loop {
        if current == a {
            return true;
        }
        match idom[current] {
            Some(next) if next != current => current = next,
            _ => return false,
        }
    }
}

/// Predecessor lists of every node.
pub fn predecessors(cfg: &Cfg) -> Vec<Vec<usize>> {
    let mut preds = vec![Vec::new(); cfg.len()];
    for (from, edges) in cfg.succ.iter().enumerate() {
        for &(_, to) in edges {
            preds[to].push(from);
        }
    }
    preds
}

/// Nodes of the natural loop with header `header` and the given back-edge sources.
pub fn natural_loop(preds: &[Vec<usize>], header: usize, sources: &[usize]) -> HashSet<usize> {
    let mut body = HashSet::from([header]);
    let mut stack: Vec<usize> = sources.to_vec();
    while let Some(v) = stack.pop() {
        if !body.insert(v) {
            continue;
        }
        stack.extend(preds[v].iter().copied().filter(|p| !body.contains(p)));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(n: usize, edges: &[(usize, usize)]) -> Cfg {
        let edges: Vec<_> = edges
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| (i, a, b))
            .collect();
        Cfg::new(n, &edges, &vec![false; n], &[], None, &[])
    }

    #[test]
    fn diamond_post_dominator_is_join() {
        let g = cfg(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
        let a = analyze(&g);
        assert_eq!(a.ipdom[0], Some(3));
        assert!(a.back_edges.is_empty());
    }

    #[test]
    fn loop_back_edge_found() {
        let g = cfg(4, &[(0, 1), (1, 2), (2, 1), (1, 3)]);
        let a = analyze(&g);
        assert_eq!(a.back_edges, vec![(2, 0)]);
        assert!(a.reducible);
        let body = natural_loop(&predecessors(&g), 1, &[2]);
        assert_eq!(body, HashSet::from([1, 2]));
    }

    #[test]
    fn jump_into_loop_is_irreducible() {
        let g = cfg(3, &[(0, 1), (0, 2), (1, 2), (2, 1)]);
        assert!(!analyze(&g).reducible);
    }

    #[test]
    fn several_roots_get_virtual_entry() {
        let g = cfg(3, &[(0, 2), (1, 2)]);
        assert_eq!(g.entry, 3);
        assert_eq!(g.succ[3], vec![(VIRTUAL_EDGE, 0), (VIRTUAL_EDGE, 1)]);
    }
}
