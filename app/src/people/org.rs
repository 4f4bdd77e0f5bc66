//! The organisation as the rules see it, pure: departments form a tree, each may
//! have a head. Who manages which departments, who hears about a person (and
//! receives their confiscated customers), which department a person heads.
//!
//! One source: the department links of the configuration snapshot
//! (`funnel::snapshot`), which every change to a department stamps, so every
//! feature answers these questions from the same copy.

use crate::auth::model::{CurrentUser, Role};
use crate::people::rules::subtree;
use std::collections::HashMap;

/// Department → its parent, and department → its head.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Org {
    pub parents: HashMap<String, Option<String>>,
    pub heads: HashMap<String, Option<String>>,
}

impl Org {
    /// `root` and every department below it, sorted.
    pub fn below(&self, root: &str) -> Vec<String> {
        let mut tree: Vec<String> = subtree(&self.parents, root).into_iter().collect();
        tree.sort();
        tree
    }

    /// The departments whose customers and people `user` manages: their own
    /// and every one below it; none for a rep (the boss and admins see the
    /// company through their own scopes).
    pub fn tree_of(&self, user: &CurrentUser) -> Vec<String> {
        if user.role == Role::Rep {
            return Vec::new();
        }
        self.below(&user.department_id)
    }

    /// Whether `user` may act as a manager over `department`.
    pub fn manages(&self, user: &CurrentUser, department: &str) -> bool {
        match user.role {
            Role::Boss | Role::Admin => true,
            Role::Rep => false,
            Role::Manager => self.tree_of(user).iter().any(|d| d == department),
        }
    }

    /// Who is above `person` in `department`: the department's head, or the
    /// nearest head above when `person` heads it themself (or it has none).
    /// `None`: nobody above (a confiscated customer goes to the pool).
    pub fn head_above(&self, department: Option<&str>, person: Option<&str>) -> Option<String> {
        let mut current = department.map(str::to_string);
        for _ in 0..64 {
            let d = current?;
            if let Some(Some(head)) = self.heads.get(&d) {
                if Some(head.as_str()) != person {
                    return Some(head.clone());
                }
            }
            current = self.parents.get(&d).cloned().flatten();
        }
        None
    }

    /// The department `user_id` heads, if any.
    pub fn headed_by(&self, user_id: &str) -> Option<String> {
        let mut headed: Vec<&String> = self
            .heads
            .iter()
            .filter(|(_, h)| h.as_deref() == Some(user_id))
            .map(|(d, _)| d)
            .collect();
        headed.sort();
        headed.first().map(|d| (*d).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// top (boss) ─┬─ team (mgr) ── sub (no head)
    ///             └─ headless
    /// orphan (no parent, no head)
    fn org() -> Org {
        let s = |v: &str| Some(v.to_string());
        Org {
            heads: [
                ("team".to_string(), s("mgr")),
                ("sub".to_string(), None),
                ("headless".to_string(), None),
                ("top".to_string(), s("boss")),
                ("orphan".to_string(), None),
            ]
            .into(),
            parents: [
                ("team".to_string(), s("top")),
                ("sub".to_string(), s("team")),
                ("headless".to_string(), s("top")),
                ("top".to_string(), None),
                ("orphan".to_string(), None),
            ]
            .into(),
        }
    }

    fn user(role: Role, department: &str) -> CurrentUser {
        CurrentUser {
            id: "u".into(),
            login: "u".into(),
            name: "u".into(),
            role,
            department_id: department.into(),
            department_name: department.into(),
            phone: None,
            language: "zh-CN".into(),
        }
    }

    #[rstest]
    #[case(Some("team"), Some("rep"), Some("mgr"))]
    #[case(Some("team"), Some("mgr"), Some("boss"))] // the head's own customer goes up
    #[case(Some("sub"), Some("rep"), Some("mgr"))] // a headless team: the head above
    #[case(Some("headless"), Some("rep"), Some("boss"))]
    #[case(Some("top"), Some("boss"), None)] // nobody above the boss: the pool
    #[case(Some("orphan"), Some("rep"), None)]
    #[case(None, Some("rep"), None)]
    fn who_is_above(
        #[case] dept: Option<&str>,
        #[case] person: Option<&str>,
        #[case] above: Option<&str>,
    ) {
        assert_eq!(org().head_above(dept, person), above.map(str::to_string));
    }

    #[rstest]
    #[case(Role::Manager, "team", &["sub", "team"])]
    #[case(Role::Manager, "sub", &["sub"])]
    #[case(Role::Boss, "top", &["headless", "sub", "team", "top"])]
    #[case(Role::Rep, "team", &[])]
    fn trees(#[case] role: Role, #[case] dept: &str, #[case] tree: &[&str]) {
        assert_eq!(org().tree_of(&user(role, dept)), tree);
    }

    #[rstest]
    #[case(Role::Manager, "team", "sub", true)]
    #[case(Role::Manager, "team", "team", true)]
    #[case(Role::Manager, "team", "headless", false)]
    #[case(Role::Manager, "sub", "team", false)]
    #[case(Role::Rep, "team", "team", false)]
    #[case(Role::Boss, "top", "orphan", true)]
    #[case(Role::Admin, "top", "orphan", true)]
    fn who_manages(#[case] role: Role, #[case] own: &str, #[case] dept: &str, #[case] yes: bool) {
        assert_eq!(org().manages(&user(role, own), dept), yes);
    }

    #[rstest]
    #[case("mgr", Some("team"))]
    #[case("boss", Some("top"))]
    #[case("rep", None)]
    fn heads(#[case] person: &str, #[case] dept: Option<&str>) {
        assert_eq!(org().headed_by(person), dept.map(str::to_string));
    }
}
