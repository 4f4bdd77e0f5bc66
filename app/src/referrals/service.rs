//! The referral tree for a viewer, the picker's options, resolving a referrer
//! typed or picked, and changing a customer's referrer (cycles refused).

use crate::auth::model::{CurrentUser, Role};
use crate::customers::service::sees;
use crate::error::{AppError, AppResult};
use crate::funnel::snapshot::department_tree;
use crate::referrals::cache::ReferralCache;
use crate::referrals::model::*;
use crate::referrals::repo::{self, Label, LinkRow};
use crate::referrals::rules::{self, forest, rank, would_cycle, RefNode, Shown};
use crate::state::AppState;
use std::collections::HashMap;

/// How many options the picker offers.
const OPTIONS: usize = 8;

fn visible(user: &CurrentUser, tree: &[String], r: &LinkRow) -> bool {
    sees(
        user,
        tree,
        &r.status,
        r.owner.as_deref(),
        r.department.as_deref(),
    )
}

/// The referral trees, the customers to thank and the won customers who have
/// not referred anyone, as far as `user` may see; each list a page long (or as
/// long as `asked`), with how many are left.
///
/// Built from the in-memory copy of the customers in trees or won (see
/// `cache`); only the shown customers' stages and owners are read.
pub async fn view(
    state: &AppState,
    user: &CurrentUser,
    asked: ListsAsked,
) -> AppResult<ReferralView> {
    let tree = department_tree(state, user).await?;
    let rows = state.part::<ReferralCache>().rows(&state.db).await?;
    let nodes: Vec<RefNode> = rows
        .iter()
        .map(|r| RefNode {
            id: r.id.clone(),
            parent: r.parent.clone(),
            won_cents: if r.won { r.expected_cents } else { 0 },
            visible: visible(user, &tree, r),
        })
        .collect();
    let mut shown = forest(&nodes);
    rank(&mut shown, &nodes);
    // the won amounts below each visible customer, from the pruned trees
    let mut below: HashMap<usize, i64> = HashMap::new();
    fn walk(s: &Shown, below: &mut HashMap<usize, i64>) {
        below.insert(s.index, s.won_below_cents);
        for c in &s.children {
            walk(c, below);
        }
    }
    for s in &shown {
        walk(s, &mut below);
    }
    let mut referred: HashMap<&str, u32> = HashMap::new();
    for r in rows.iter() {
        if let Some(p) = &r.parent {
            *referred.entry(p.as_str()).or_default() += 1;
        }
    }

    let mut thank: Vec<(usize, u32, i64)> = (0..rows.len())
        .filter(|&i| nodes[i].visible)
        .filter_map(|i| referred.get(rows[i].id.as_str()).map(|&n| (i, n)))
        .map(|(i, n)| (i, n, below.get(&i).copied().unwrap_or(0)))
        .collect();
    thank.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.2.cmp(&a.2))
            .then_with(|| rows[a.0].name.cmp(&rows[b.0].name))
    });
    let mut unreferred: Vec<usize> = (0..rows.len())
        .filter(|&i| nodes[i].visible)
        .filter(|&i| rows[i].won && rows[i].status != "lost")
        .filter(|&i| !referred.contains_key(rows[i].id.as_str()))
        .collect();
    unreferred.sort_by(|&a, &b| rows[a].name.cmp(&rows[b].name));

    let more = ListsLeft {
        trees: shown.len().saturating_sub(rules::shown(asked.trees)) as u32,
        thank: thank.len().saturating_sub(rules::shown(asked.thank)) as u32,
        unreferred: unreferred
            .len()
            .saturating_sub(rules::shown(asked.unreferred)) as u32,
    };
    shown.truncate(rules::shown(asked.trees));
    thank.truncate(rules::shown(asked.thank));
    unreferred.truncate(rules::shown(asked.unreferred));

    // stages and owners of what is shown, in one read
    let mut ids: Vec<String> = Vec::new();
    fn visible_ids(s: &Shown, rows: &[LinkRow], ids: &mut Vec<String>) {
        if s.visible {
            ids.push(rows[s.index].id.clone());
        }
        for c in &s.children {
            visible_ids(c, rows, ids);
        }
    }
    for s in &shown {
        visible_ids(s, &rows, &mut ids);
    }
    ids.extend(thank.iter().map(|t| rows[t.0].id.clone()));
    ids.extend(unreferred.iter().map(|&i| rows[i].id.clone()));
    ids.sort();
    ids.dedup();
    let labels: HashMap<String, Label> = repo::labels(&state.db, &ids)
        .await?
        .into_iter()
        .map(|l| (l.id.clone(), l))
        .collect();
    let stage = |id: &str| {
        labels
            .get(id)
            .and_then(|l| l.stage_name.clone())
            .unwrap_or_default()
    };
    let owner = |id: &str| {
        labels
            .get(id)
            .and_then(|l| l.owner_name.clone())
            .unwrap_or_default()
    };

    Ok(ReferralView {
        trees: shown.iter().map(|s| node_of(s, &rows, &stage)).collect(),
        thank: thank
            .into_iter()
            .map(|(i, n, won_below_cents)| ReferrerRow {
                id: rows[i].id.clone(),
                name: rows[i].name.clone(),
                referred: n,
                won_below_cents,
                owner_name: owner(&rows[i].id),
            })
            .collect(),
        unreferred: unreferred
            .into_iter()
            .map(|i| CustomerRef {
                id: rows[i].id.clone(),
                name: rows[i].name.clone(),
                stage: stage(&rows[i].id),
                owner_name: owner(&rows[i].id),
            })
            .collect(),
        more,
    })
}

fn node_of(s: &Shown, rows: &[LinkRow], stage: &dyn Fn(&str) -> String) -> TreeNode {
    let r = &rows[s.index];
    TreeNode {
        id: s.visible.then(|| r.id.clone()),
        name: s.visible.then(|| r.name.clone()),
        stage: s.visible.then(|| stage(&r.id)),
        won: s.visible && r.won,
        won_cents: if s.visible && r.won {
            r.expected_cents
        } else {
            0
        },
        won_below_cents: s.won_below_cents,
        hidden_below: s.hidden_below,
        referred: s.referred,
        children: s.children.iter().map(|c| node_of(c, rows, stage)).collect(),
    }
}

/// Customers `user` may see whose name holds `q` (for the referrer picker).
pub async fn options(
    state: &AppState,
    user: &CurrentUser,
    q: &str,
) -> AppResult<Vec<ReferrerOption>> {
    let q = crate::text::checked("q", q, crate::text::Shape::line(100))?;
    if q.chars().count() < 1 {
        return Ok(Vec::new());
    }
    let tree = department_tree(state, user).await?;
    // read a few more than shown: some may be out of the viewer's sight
    let rows = repo::named(&state.db, &q, OPTIONS * 8).await?;
    Ok(rows
        .into_iter()
        .filter(|r| visible(user, &tree, r))
        .take(OPTIONS)
        .map(|r| ReferrerOption {
            id: r.id,
            name: r.name,
            won: r.won,
        })
        .collect())
}

/// Changes who referred `customer` (its owner, or a manager over it, or the boss
/// or admin): `referrer` empty clears it. A referrer below the customer in its
/// own tree is refused (`referral_cycle`).
pub async fn set_referrer(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    referrer: &str,
) -> AppResult<()> {
    let tree = department_tree(state, user).await?;
    let key = crate::customers::repo::valid_key(customer)?;
    let row = crate::customers::repo::load(&state.db, key)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = &row.state;
    if !sees(
        user,
        &tree,
        s.status().as_str(),
        s.owner.as_deref(),
        s.department.as_deref(),
    ) {
        return Err(AppError::NotFound);
    }
    let own = s.owner.as_deref() == Some(user.id.as_str());
    let oversees = match user.role {
        Role::Boss | Role::Admin => true,
        Role::Manager => s.department.as_ref().is_some_and(|d| tree.contains(d)),
        Role::Rep => false,
    };
    if !own && !oversees {
        return Err(AppError::Forbidden);
    }
    let referrer = referrer.trim();
    let parent = if referrer.is_empty() {
        None
    } else {
        let id = crate::customers::service::resolve_referrer(state, user, referrer).await?;
        let parents: HashMap<String, Option<String>> = state
            .part::<ReferralCache>()
            .rows(&state.db)
            .await?
            .iter()
            .map(|r| (r.id.clone(), r.parent.clone()))
            .collect();
        if would_cycle(&row.id, &id, &parents) {
            return Err(AppError::validation("referred_by", "referral_cycle"));
        }
        Some(id)
    };
    repo::set_referrer(&state.db, &row.id, parent, &user.id, state.now()).await
}
