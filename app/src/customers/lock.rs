//! The wolf lock (狼性锁定) and visibility, pure: who may see a customer and what
//! each person may do with it. The server functions ask these before every write,
//! and the database's conditional updates make the decision stick under races.

use crate::auth::model::Role;
use crate::customers::model::{Allowed, Status};

/// Who is asking, with the departments they oversee (their own and everything
/// below it; empty for reps).
#[derive(Clone, Debug)]
pub struct Viewer<'a> {
    pub id: &'a str,
    pub role: Role,
    pub department_tree: &'a [String],
}

/// Where a customer stands, as far as access is concerned.
#[derive(Clone, Copy, Debug)]
pub struct Standing<'a> {
    pub status: Status,
    pub owner: Option<&'a str>,
    pub department: Option<&'a str>,
    pub lost_proposed: bool,
    pub first_stage: bool,
    pub last_stage: bool,
}

impl Viewer<'_> {
    fn oversees(&self, department: Option<&str>) -> bool {
        match self.role {
            Role::Boss | Role::Admin => true,
            Role::Manager => {
                department.is_some_and(|d| self.department_tree.iter().any(|x| x == d))
            }
            Role::Rep => false,
        }
    }

    fn is_manager(&self) -> bool {
        self.role != Role::Rep
    }
}

/// A rep sees their own customers; a manager everything in their department tree;
/// boss and admin everything. The pool is open to all (phones masked).
pub fn can_see(viewer: &Viewer, c: &Standing) -> bool {
    c.status == Status::Pool || c.owner == Some(viewer.id) || viewer.oversees(c.department)
}

/// May the viewer read the unmasked phone numbers?
pub fn sees_phones(viewer: &Viewer, c: &Standing) -> bool {
    c.status != Status::Pool && can_see(viewer, c)
}

/// What the viewer may do. `at_cap`: the viewer owns as many counted customers as
/// their department allows (a rep at the cap may release one, with a reason).
pub fn allowed(viewer: &Viewer, c: &Standing, at_cap: bool) -> Allowed {
    let own = c.owner == Some(viewer.id);
    let oversees = viewer.is_manager() && viewer.oversees(c.department);
    let owned = c.status == Status::Owned;
    Allowed {
        tick_checklist: own && c.status == Status::Draft,
        advance: own && owned && !c.last_stage,
        // visits and revisit settings in every stage, the won ones included
        follow_up: own && owned,
        move_back: owned && oversees && !c.first_stage,
        propose_lost: own && owned && !c.lost_proposed,
        // The proposer cannot approve their own post-mortem.
        decide_lost: owned && c.lost_proposed && oversees && !own,
        release: own && owned && at_cap,
        manage: c.status == Status::Held && (own || oversees),
        claim: c.status == Status::Pool,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const TREE: &[&str] = &["d1", "d1a"];

    fn viewer(role: Role) -> (String, Vec<String>) {
        let tree = if role == Role::Rep {
            vec![]
        } else {
            TREE.iter().map(|s| s.to_string()).collect()
        };
        ("me".to_string(), tree)
    }

    fn standing(
        status: Status,
        owner: Option<&'static str>,
        dept: &'static str,
    ) -> Standing<'static> {
        Standing {
            status,
            owner,
            department: Some(dept),
            lost_proposed: false,
            first_stage: false,
            last_stage: false,
        }
    }

    #[rstest]
    // (role, status, owner, department) → visible
    #[case(Role::Rep, Status::Owned, Some("me"), "d1", true)]
    #[case(Role::Rep, Status::Owned, Some("other"), "d1", false)]
    #[case(Role::Rep, Status::Draft, Some("other"), "d1", false)]
    #[case(Role::Rep, Status::Held, Some("boss1"), "d1", false)]
    #[case(Role::Rep, Status::Pool, None, "d2", true)]
    #[case(Role::Rep, Status::Lost, None, "d1", false)]
    #[case(Role::Manager, Status::Owned, Some("other"), "d1", true)]
    #[case(Role::Manager, Status::Owned, Some("other"), "d1a", true)]
    #[case(Role::Manager, Status::Owned, Some("other"), "d2", false)]
    #[case(Role::Manager, Status::Lost, None, "d1a", true)]
    #[case(Role::Boss, Status::Owned, Some("other"), "d9", true)]
    #[case(Role::Admin, Status::Held, Some("other"), "d9", true)]
    fn visibility(
        #[case] role: Role,
        #[case] status: Status,
        #[case] owner: Option<&'static str>,
        #[case] dept: &'static str,
        #[case] visible: bool,
    ) {
        let (id, tree) = viewer(role);
        let v = Viewer {
            id: &id,
            role,
            department_tree: &tree,
        };
        assert_eq!(can_see(&v, &standing(status, owner, dept)), visible);
    }

    #[test]
    fn phones_are_masked_in_the_pool_even_for_bosses() {
        let (id, tree) = viewer(Role::Boss);
        let v = Viewer {
            id: &id,
            role: Role::Boss,
            department_tree: &tree,
        };
        assert!(!sees_phones(&v, &standing(Status::Pool, None, "d1")));
        assert!(sees_phones(&v, &standing(Status::Owned, Some("x"), "d1")));
    }

    #[test]
    fn the_owner_advances_proposes_lost_and_releases_only_at_the_cap() {
        let (id, tree) = viewer(Role::Rep);
        let v = Viewer {
            id: &id,
            role: Role::Rep,
            department_tree: &tree,
        };
        let c = standing(Status::Owned, Some("me"), "d1");
        let a = allowed(&v, &c, false);
        assert!(a.advance && a.propose_lost && !a.release && !a.move_back && !a.decide_lost);
        assert!(allowed(&v, &c, true).release);
        let last = Standing {
            last_stage: true,
            ..c
        };
        assert!(!allowed(&v, &last, false).advance);
        // a won customer in the last stage is still followed up and revisited
        assert!(allowed(&v, &last, false).follow_up);
        assert!(a.follow_up);
        let draft = standing(Status::Draft, Some("me"), "d1");
        let a = allowed(&v, &draft, true);
        assert!(a.tick_checklist && !a.advance && !a.release && !a.propose_lost && !a.follow_up);
    }

    #[test]
    fn nobody_acts_on_someone_elses_customer_without_overseeing_it() {
        let (id, tree) = viewer(Role::Rep);
        let v = Viewer {
            id: &id,
            role: Role::Rep,
            department_tree: &tree,
        };
        let c = Standing {
            lost_proposed: true,
            ..standing(Status::Owned, Some("other"), "d1")
        };
        assert_eq!(allowed(&v, &c, true), Allowed::default());
        let (id, tree) = viewer(Role::Manager);
        let m = Viewer {
            id: &id,
            role: Role::Manager,
            department_tree: &tree,
        };
        let foreign = Standing {
            department: Some("d2"),
            ..c
        };
        assert_eq!(allowed(&m, &foreign, true), Allowed::default());
    }

    #[test]
    fn managers_move_back_decide_lost_and_manage_the_inbox() {
        let (id, tree) = viewer(Role::Manager);
        let m = Viewer {
            id: &id,
            role: Role::Manager,
            department_tree: &tree,
        };
        let c = Standing {
            lost_proposed: true,
            ..standing(Status::Owned, Some("rep1"), "d1a")
        };
        let a = allowed(&m, &c, false);
        assert!(a.move_back && a.decide_lost && !a.advance && !a.release);
        let first = Standing {
            first_stage: true,
            ..c
        };
        assert!(!allowed(&m, &first, false).move_back);
        let held = standing(Status::Held, Some("me"), "d1");
        assert!(allowed(&m, &held, false).manage);
        // a manager's own proposal is decided by someone above them
        let own = Standing {
            lost_proposed: true,
            ..standing(Status::Owned, Some("me"), "d1")
        };
        assert!(!allowed(&m, &own, false).decide_lost);
    }

    #[test]
    fn anyone_may_try_to_claim_from_the_pool() {
        let (id, tree) = viewer(Role::Rep);
        let v = Viewer {
            id: &id,
            role: Role::Rep,
            department_tree: &tree,
        };
        let a = allowed(&v, &standing(Status::Pool, None, "d2"), false);
        assert!(a.claim && !a.advance && !a.manage);
    }
}
