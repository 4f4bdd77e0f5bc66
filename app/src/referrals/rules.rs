//! Referral trees, pure: building the forest from "referred by" links (safe on
//! any data, cycles included), pruning it to what a viewer may see, rolling up
//! the won amounts below each customer, and refusing a link that makes a cycle.

use std::collections::{HashMap, HashSet};

/// One customer with its referrer.
#[derive(Clone, Debug, PartialEq)]
pub struct RefNode {
    pub id: String,
    pub parent: Option<String>,
    /// The amount when won, else 0.
    pub won_cents: i64,
    /// Whether the viewer may see this customer.
    pub visible: bool,
}

/// A node as shown: a visible customer (`index` into the input), or a hidden one
/// kept only because visible customers hang below it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub index: usize,
    pub visible: bool,
    pub children: Vec<Shown>,
    /// Customers in branches below this one with nothing the viewer may see,
    /// folded into this count (branches with something visible show themselves).
    pub hidden_below: u32,
    /// Won amounts of the visible customers below this one.
    pub won_below_cents: i64,
    /// Customers it referred directly (seen or not).
    pub referred: u32,
}

/// Whether linking `child` to `new_parent` would make a cycle: `new_parent` is
/// `child` or one of its descendants (found by walking up from `new_parent`).
pub fn would_cycle(
    child: &str,
    new_parent: &str,
    parent_of: &HashMap<String, Option<String>>,
) -> bool {
    let mut seen = HashSet::new();
    let mut at = Some(new_parent.to_string());
    while let Some(id) = at {
        if id == child {
            return true;
        }
        if !seen.insert(id.clone()) {
            // an existing loop not through `child`
            return false;
        }
        at = parent_of.get(&id).cloned().flatten();
    }
    false
}

/// The trees of customers that referred or were referred, pruned for the viewer:
/// a tree appears when it holds a visible customer; hidden customers with visible
/// ones below them stay as nameless links; hidden branches with nothing visible
/// become a count on the nearest node above. Roots are customers without a known
/// referrer; a customer on a loop (bad data) becomes a root once, never twice.
pub fn forest(nodes: &[RefNode]) -> Vec<Shown> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut is_root = vec![false; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        match n.parent.as_deref().and_then(|p| index.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => is_root[i] = true,
        }
    }
    // nodes only reachable through a loop: make the first of each loop a root
    let mut placed = vec![false; nodes.len()];
    let mut roots: Vec<usize> = (0..nodes.len()).filter(|&i| is_root[i]).collect();
    for &r in &roots {
        mark(r, &children, &mut placed);
    }
    for i in 0..nodes.len() {
        if !placed[i] {
            roots.push(i);
            mark(i, &children, &mut placed);
        }
    }
    let mut done = vec![false; nodes.len()];
    roots
        .into_iter()
        .filter(|&r| !children[r].is_empty())
        .map(|r| build(r, nodes, &children, &mut done))
        .filter(|s| s.visible || !s.children.is_empty())
        .collect()
}

fn mark(root: usize, children: &[Vec<usize>], placed: &mut [bool]) {
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        if placed[i] {
            continue;
        }
        placed[i] = true;
        stack.extend(children[i].iter().copied());
    }
}

/// Builds `i`'s subtree (each node once, so loops end). A child with nothing
/// visible in it is folded into `hidden_below`.
fn build(i: usize, nodes: &[RefNode], children: &[Vec<usize>], done: &mut [bool]) -> Shown {
    done[i] = true;
    let mut shown = Shown {
        index: i,
        visible: nodes[i].visible,
        children: Vec::new(),
        hidden_below: 0,
        won_below_cents: 0,
        referred: children[i].len() as u32,
    };
    for &c in &children[i] {
        if done[c] {
            continue;
        }
        let child = build(c, nodes, children, done);
        if !child.visible && child.children.is_empty() {
            shown.hidden_below += 1 + child.hidden_below;
            continue;
        }
        if child.visible {
            shown.won_below_cents += nodes[c].won_cents;
        }
        shown.won_below_cents += child.won_below_cents;
        shown.children.push(child);
    }
    shown
}

/// Customers in a shown tree, visible or not (hidden branches included).
pub fn size(s: &Shown) -> u32 {
    1 + s.hidden_below + s.children.iter().map(size).sum::<u32>()
}

/// The won amount a shown tree holds, as far as the viewer may see.
pub fn won_in(s: &Shown, nodes: &[RefNode]) -> i64 {
    let own = if s.visible {
        nodes[s.index].won_cents
    } else {
        0
    };
    own + s.won_below_cents
}

/// The order trees are listed in: the most won business first, then the larger
/// tree, then by the root's id so the order is stable between loads.
pub fn rank(trees: &mut [Shown], nodes: &[RefNode]) {
    trees.sort_by(|a, b| {
        won_in(b, nodes)
            .cmp(&won_in(a, nodes))
            .then(size(b).cmp(&size(a)))
            .then_with(|| nodes[a.index].id.cmp(&nodes[b.index].id))
    });
}

/// How many rows a list shows: `asked` (from "show more"), at least one page,
/// at most `MAX_SHOWN`.
pub fn shown(asked: u32) -> usize {
    (asked as usize).clamp(PAGE, MAX_SHOWN)
}

/// Rows a list shows before "show more".
pub const PAGE: usize = 20;
/// The most a list shows at once, however much is asked.
pub const MAX_SHOWN: usize = 400;

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn node(id: &str, parent: Option<&str>, won: i64, visible: bool) -> RefNode {
        RefNode {
            id: id.into(),
            parent: parent.map(String::from),
            won_cents: won,
            visible,
        }
    }

    fn parents(links: &[(&str, Option<&str>)]) -> HashMap<String, Option<String>> {
        links
            .iter()
            .map(|(a, b)| (a.to_string(), b.map(String::from)))
            .collect()
    }

    #[rstest]
    // a → b → c: c may not refer a, nor b; a may not refer itself
    #[case("a", "c", true)]
    #[case("a", "b", true)]
    #[case("a", "a", true)]
    #[case("b", "c", true)]
    // c may be referred by a (it is already below it); d is outside
    #[case("c", "a", false)]
    #[case("a", "d", false)]
    #[case("d", "c", false)]
    fn cycles_are_refused(#[case] child: &str, #[case] parent: &str, #[case] cycle: bool) {
        let map = parents(&[("a", None), ("b", Some("a")), ("c", Some("b")), ("d", None)]);
        assert_eq!(would_cycle(child, parent, &map), cycle);
    }

    #[test]
    fn a_loop_in_the_data_does_not_hang_the_check() {
        let map = parents(&[("x", Some("y")), ("y", Some("x")), ("a", None)]);
        assert!(!would_cycle("a", "x", &map));
        assert!(would_cycle("x", "y", &map));
    }

    fn ids(nodes: &[RefNode], s: &Shown) -> String {
        let own = if s.visible {
            nodes[s.index].id.clone()
        } else {
            "?".into()
        };
        if s.children.is_empty() {
            own
        } else {
            let kids: Vec<String> = s.children.iter().map(|c| ids(nodes, c)).collect();
            format!("{own}({})", kids.join(","))
        }
    }

    #[test]
    fn everything_visible_rolls_up_won_amounts() {
        let nodes = vec![
            node("a", None, 100, true),
            node("b", Some("a"), 50, true),
            node("c", Some("b"), 20, true),
            node("d", Some("a"), 0, true),
            node("lonely", None, 999, true),
        ];
        let f = forest(&nodes);
        assert_eq!(f.len(), 1, "a customer with no referral link is not a tree");
        assert_eq!(ids(&nodes, &f[0]), "a(b(c),d)");
        assert_eq!(f[0].won_below_cents, 70);
        assert_eq!(f[0].referred, 2);
        assert_eq!(f[0].children[0].won_below_cents, 20);
        assert_eq!(f[0].hidden_below, 0);
    }

    #[test]
    fn hidden_customers_are_counted_or_kept_nameless() {
        let nodes = vec![
            // a colleague's customer referred mine (b); its other referral e is hidden
            node("a", None, 100, false),
            node("b", Some("a"), 50, true),
            node("e", Some("a"), 70, false),
            node("f", Some("e"), 10, false),
            // a tree with nothing of mine is not shown at all
            node("x", None, 0, false),
            node("y", Some("x"), 0, false),
            // my customer g referred a hidden h
            node("g", None, 0, true),
            node("h", Some("g"), 30, false),
        ];
        let f = forest(&nodes);
        let shapes: Vec<String> = f.iter().map(|s| ids(&nodes, s)).collect();
        assert_eq!(shapes, vec!["?(b)", "g"]);
        // a's hidden branch e → f counts two; hidden amounts are not rolled up
        assert_eq!(f[0].hidden_below, 2);
        assert_eq!(f[0].won_below_cents, 50);
        assert_eq!(
            (f[1].hidden_below, f[1].won_below_cents, f[1].referred),
            (1, 0, 1)
        );
    }

    #[test]
    fn loops_and_self_links_in_the_data_end() {
        let nodes = vec![
            node("p", Some("q"), 0, true),
            node("q", Some("p"), 0, true),
            node("s", Some("s"), 0, true),
            node("t", Some("missing"), 0, true),
        ];
        let f = forest(&nodes);
        // the loop p ⇄ q shows once; s and t refer nobody
        assert_eq!(f.len(), 1);
        let shape = ids(&nodes, &f[0]);
        assert!(shape == "p(q)" || shape == "q(p)", "{shape}");
    }
    #[test]
    fn trees_are_ranked_by_won_business_then_size() {
        let nodes = vec![
            // small but won: first
            node("s", None, 0, true),
            node("s1", Some("s"), 500, true),
            // large, nothing won: after every tree with business
            node("l", None, 0, true),
            node("l1", Some("l"), 0, true),
            node("l2", Some("l"), 0, false),
            node("l3", Some("l1"), 0, true),
            // equal business to `s`, hidden amounts do not count; larger wins the tie
            node("m", None, 500, true),
            node("m1", Some("m"), 0, true),
            node("m2", Some("m"), 900, false),
            // same as `k2`'s tree: the id decides
            node("k1", None, 0, true),
            node("k1a", Some("k1"), 0, true),
        ];
        let mut f = forest(&nodes);
        rank(&mut f, &nodes);
        let roots: Vec<&str> = f.iter().map(|t| nodes[t.index].id.as_str()).collect();
        assert_eq!(roots, vec!["m", "s", "l", "k1"]);
        let sizes: Vec<u32> = f.iter().map(size).collect();
        assert_eq!(sizes, vec![3, 2, 4, 2]);
    }

    #[rstest]
    #[case(0, PAGE)]
    #[case(5, PAGE)]
    #[case(40, 40)]
    #[case(u32::MAX, MAX_SHOWN)]
    fn lists_show_a_page_more_on_request_and_never_everything(
        #[case] asked: u32,
        #[case] rows: usize,
    ) {
        assert_eq!(shown(asked), rows);
    }
}
