//! Pure rules of the organisation tree. No I/O.

use crate::auth::model::Role;
use crate::people::model::Department;
use std::collections::{HashMap, HashSet};

/// Would giving `dept` the parent `new_parent` make the tree a cycle?
/// `parent_of` maps every department id to its current parent.
pub fn would_create_cycle(
    parent_of: &HashMap<String, Option<String>>,
    dept: &str,
    new_parent: Option<&str>,
) -> bool {
    let mut cursor = new_parent.map(str::to_string);
    let mut seen = HashSet::new();
    while let Some(id) = cursor {
        if id == dept || !seen.insert(id.clone()) {
            return true;
        }
        cursor = parent_of.get(&id).cloned().flatten();
    }
    false
}

/// `root` and every department below it.
pub fn subtree(parent_of: &HashMap<String, Option<String>>, root: &str) -> HashSet<String> {
    let mut result = HashSet::from([root.to_string()]);
    let mut grew = true;
    while grew {
        grew = false;
        for (id, parent) in parent_of {
            if let Some(p) = parent {
                if result.contains(p) && !result.contains(id) {
                    result.insert(id.clone());
                    grew = true;
                }
            }
        }
    }
    result
}

/// Departments in display order (depth-first, siblings by name) with their depth.
/// Departments whose parent is missing are shown as roots, so nothing is hidden.
pub fn tree_order(depts: &[Department]) -> Vec<(Department, usize)> {
    let ids: HashSet<&str> = depts.iter().map(|d| d.id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<&Department>> = HashMap::new();
    for d in depts {
        let parent = d.parent_id.as_deref().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(d);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::with_capacity(depts.len());
    let mut stack: Vec<(&Department, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|d| (*d, 0)).collect())
        .unwrap_or_default();
    let mut visited = HashSet::new();
    while let Some((d, depth)) = stack.pop() {
        if !visited.insert(d.id.as_str()) {
            continue;
        }
        out.push((d.clone(), depth));
        if let Some(kids) = children.get(&Some(d.id.as_str())) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    // A cycle stored by mistake would leave departments unvisited: show them last.
    for d in depts {
        if !visited.contains(d.id.as_str()) {
            out.push((d.clone(), 0));
        }
    }
    out
}

/// May `actor` deactivate `target`? Nobody deactivates themself, and the last
/// active administrator stays (otherwise nobody could manage the company).
pub fn check_deactivation(
    actor_id: &str,
    target_id: &str,
    target_role: Role,
    active_admins: usize,
) -> Result<(), &'static str> {
    if actor_id == target_id {
        return Err("cannot_deactivate_self");
    }
    if target_role == Role::Admin && active_admins <= 1 {
        return Err("last_admin");
    }
    Ok(())
}

/// May `actor` give someone the role `role`? Only an admin makes admins.
pub fn check_role_grant(actor: Role, role: Role) -> Result<(), &'static str> {
    if !actor.can_administer() {
        return Err("forbidden");
    }
    if role == Role::Admin && actor != Role::Admin {
        return Err("only_admin_grants_admin");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// root ─┬─ a ── a1 ── a11
    ///       └─ b
    fn tree() -> HashMap<String, Option<String>> {
        [
            ("root", None),
            ("a", Some("root")),
            ("a1", Some("a")),
            ("a11", Some("a1")),
            ("b", Some("root")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect()
    }

    #[rstest]
    #[case("a", Some("b"), false)]
    #[case("a", None, false)]
    #[case("b", Some("a11"), false)]
    #[case("a", Some("a"), true)]
    #[case("a", Some("a1"), true)]
    #[case("a", Some("a11"), true)]
    #[case("root", Some("b"), true)]
    #[case("a11", Some("root"), false)]
    #[case("new", Some("a"), false)]
    fn cycles(#[case] dept: &str, #[case] parent: Option<&str>, #[case] cycle: bool) {
        assert_eq!(would_create_cycle(&tree(), dept, parent), cycle);
    }

    #[test]
    fn cycle_check_terminates_on_a_corrupt_tree() {
        let mut t = tree();
        t.insert("x".into(), Some("y".into()));
        t.insert("y".into(), Some("x".into()));
        assert!(would_create_cycle(&t, "b", Some("x")));
    }

    #[rstest]
    #[case("a", &["a", "a1", "a11"])]
    #[case("b", &["b"])]
    #[case("root", &["root", "a", "a1", "a11", "b"])]
    fn subtrees(#[case] root: &str, #[case] expected: &[&str]) {
        let got = subtree(&tree(), root);
        let want: HashSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want);
    }

    fn dept(id: &str, name: &str, parent: Option<&str>) -> Department {
        Department {
            id: id.into(),
            name: name.into(),
            parent_id: parent.map(str::to_string),
            head_id: None,
            head_name: None,
            member_count: 0,
        }
    }

    #[test]
    fn tree_order_is_depth_first_by_name() {
        let depts = vec![
            dept("s2", "Sales 2", Some("r")),
            dept("r", "Co", None),
            dept("s1", "Sales 1", Some("r")),
            dept("s1a", "Team A", Some("s1")),
            dept("orphan", "Lost", Some("gone")),
        ];
        let order: Vec<(String, usize)> = tree_order(&depts)
            .into_iter()
            .map(|(d, depth)| (d.id, depth))
            .collect();
        assert_eq!(
            order,
            vec![
                ("r".to_string(), 0),
                ("s1".to_string(), 1),
                ("s1a".to_string(), 2),
                ("s2".to_string(), 1),
                ("orphan".to_string(), 0),
            ]
        );
    }

    #[rstest]
    #[case("me", "me", Role::Rep, 2, Err("cannot_deactivate_self"))]
    #[case("me", "other", Role::Admin, 1, Err("last_admin"))]
    #[case("me", "other", Role::Admin, 2, Ok(()))]
    #[case("me", "other", Role::Rep, 1, Ok(()))]
    fn deactivation(
        #[case] actor: &str,
        #[case] target: &str,
        #[case] role: Role,
        #[case] admins: usize,
        #[case] expected: Result<(), &'static str>,
    ) {
        assert_eq!(check_deactivation(actor, target, role, admins), expected);
    }

    #[rstest]
    #[case(Role::Admin, Role::Admin, Ok(()))]
    #[case(Role::Boss, Role::Manager, Ok(()))]
    #[case(Role::Boss, Role::Admin, Err("only_admin_grants_admin"))]
    #[case(Role::Manager, Role::Rep, Err("forbidden"))]
    #[case(Role::Rep, Role::Rep, Err("forbidden"))]
    fn role_grants(
        #[case] actor: Role,
        #[case] role: Role,
        #[case] expected: Result<(), &'static str>,
    ) {
        assert_eq!(check_role_grant(actor, role), expected);
    }
}
