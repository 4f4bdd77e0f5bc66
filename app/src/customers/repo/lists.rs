//! The lists: mine, the team's, the inbox and the pool, with their counts.

use super::*;

/// Pool filters; empty strings mean any.
#[derive(Clone, Debug, Default)]
pub struct PoolFilter {
    pub industry: String,
    pub size: String,
    pub region: String,
    pub source: String,
    pub stage: String,
}

/// What a list's scope and filters ask of a customer (bound by [`bound`]).
fn conditions(scope: &ListScope, filter: &PoolFilter) -> Vec<String> {
    let (whose, _) = scope.filter();
    let status = match scope {
        ListScope::Inbox(_) => "status = 'held'",
        ListScope::Pool => "status = 'pool'",
        _ => "status IN ['draft', 'owned', 'held']",
    };
    // only the filters asked for: a condition like `$industry = '' OR …` keeps
    // the planner from reading the pool newest first on its index
    let mut cond: Vec<String> = [whose, status]
        .into_iter()
        .filter(|c| *c != "true")
        .map(str::to_string)
        .collect();
    for (value, clause) in [
        (&filter.industry, "industry = $industry"),
        (&filter.size, "size = $size"),
        (&filter.region, "region = $region"),
        (&filter.source, "source = $source"),
        (&filter.stage, "stage = type::record('stage', $stage)"),
    ] {
        if !value.is_empty() {
            cond.push(clause.to_string());
        }
    }
    cond
}

/// A query with the parameters [`conditions`] names.
fn bound<'a>(
    db: &'a Db,
    sql: String,
    scope: &ListScope,
    filter: &PoolFilter,
) -> surrealdb::method::Query<'a, surrealdb::engine::any::Any> {
    db.query(sql)
        .bind(("key", scope.filter().1))
        .bind(("depts", scope.departments()))
        .bind(("industry", filter.industry.clone()))
        .bind(("size", filter.size.clone()))
        .bind(("region", filter.region.clone()))
        .bind(("source", filter.source.clone()))
        .bind(("stage", filter.stage.clone()))
}

/// Most terms read per prefix of a search: a fragment that names more
/// customers than this company-wide finds the first of them (type more).
pub const SEARCH_SCAN: usize = 2000;

/// Customers in a list's scope found by a search: the ids under the terms
/// starting with one of `prefixes` (a range of the term index each), then
/// those customers read by id and held to the list's own conditions. Reads at
/// most `SEARCH_SCAN` terms per prefix, never the customers table.
pub async fn search(
    db: &Db,
    scope: &ListScope,
    filter: &PoolFilter,
    prefixes: &[String],
    limit: usize,
) -> AppResult<Vec<CustomerRow>> {
    let ranges: Vec<(String, String)> = prefixes
        .iter()
        .map(|p| (p.clone(), crate::customers::search::prefix_end(p)))
        .collect();
    let cond = conditions(scope, filter);
    let sql = format!(
        "LET $ids = array::distinct(array::flatten(array::map($ranges, |$r| \
             (SELECT VALUE customer FROM customer_term WITH INDEX customer_term_term \
              WHERE term >= $r[0] AND term < $r[1] LIMIT $scan))));
         SELECT {fields} FROM $ids WHERE {cond} LIMIT $limit;",
        fields = row_fields(),
        cond = if cond.is_empty() {
            "true".to_string()
        } else {
            cond.join(" AND ")
        },
    );
    let mut resp = checked(
        bound(db, sql, scope, filter)
            .bind(("ranges", ranges))
            .bind(("scan", SEARCH_SCAN as i64))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    let mut rows: Vec<CustomerRow> = resp.take(1)?;
    rows.sort_by(|a, b| {
        (a.state.due_at.is_none(), a.state.due_at)
            .cmp(&(b.state.due_at.is_none(), b.state.due_at))
            .then(b.created_at.cmp(&a.created_at))
    });
    Ok(rows)
}

/// A list of `limit` customers: the pool newest first; other lists nearest
/// deadline first (read in deadline order, so a customer about to be taken is
/// on the first page however old it is), then those without a running clock,
/// newest first.
pub async fn list(
    db: &Db,
    scope: &ListScope,
    filter: &PoolFilter,
    limit: usize,
) -> AppResult<Vec<CustomerRow>> {
    let cond = conditions(scope, filter);
    let fields = row_fields();
    let read =
        |sql: String, limit: usize| bound(db, sql, scope, filter).bind(("limit", limit as i64));
    if matches!(scope, ListScope::Pool) {
        let sql = format!(
            "SELECT {fields} FROM customer WHERE {} ORDER BY newest LIMIT $limit",
            cond.join(" AND ")
        );
        let mut resp = checked(read(sql, limit).await?)?;
        return Ok(resp.take(0)?);
    }
    // A team's or the company's clocks in deadline order on the deadline index,
    // each checked against the scope, until a page is full; a rep's or an inbox's
    // few customers through their owner index.
    let hint = match scope {
        ListScope::All | ListScope::Departments(_) => "WITH INDEX customer_due ",
        // left to itself the planner walks every clock in the company for one owner
        _ => "WITH INDEX customer_owner ",
    };
    let rest_hint = match scope {
        ListScope::Owner(_) | ListScope::Inbox(_) => hint,
        _ => "",
    };
    let mut resp = checked(
        read(
            format!(
                "SELECT {fields} FROM customer {hint}WHERE due_at >= d'2000-01-01T00:00:00Z' AND {} \
                 ORDER BY due_at LIMIT $limit",
                cond.join(" AND ")
            ),
            limit,
        )
        .await?,
    )?;
    let mut rows: Vec<CustomerRow> = resp.take(0)?;
    if rows.len() < limit {
        let mut resp = checked(
            read(
                format!(
                    "SELECT {fields} FROM customer {rest_hint}WHERE {} AND due_at = NONE \
                     ORDER BY newest LIMIT $limit",
                    cond.join(" AND ")
                ),
                limit - rows.len(),
            )
            .await?,
        )?;
        let rest: Vec<CustomerRow> = resp.take(0)?;
        rows.extend(rest);
    }
    // equal deadlines newest first, as a page has always listed them (the index
    // leaves ties in record-id order, which differs from one database to another)
    rows.sort_by(|a, b| {
        (a.state.due_at.is_none(), a.state.due_at)
            .cmp(&(b.state.due_at.is_none(), b.state.due_at))
            .then(b.created_at.cmp(&a.created_at))
    });
    Ok(rows)
}

/// Customers this user owns that count toward the cap.
pub async fn count_owned(db: &Db, user: &str, won_counts: bool) -> AppResult<u32> {
    let mut resp = checked(
        db.query(
            "RETURN count(SELECT id FROM customer WHERE owner = type::record('user', $u) \
             AND status = 'owned' AND ($won_counts OR won = false))",
        )
        .bind(("u", user.to_string()))
        .bind(("won_counts", won_counts))
        .await?,
    )?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
}

/// Claims this user made from the pool since `since`.
pub async fn count_claims_since(db: &Db, user: &str, since: DateTime<Utc>) -> AppResult<u32> {
    let mut resp = checked(
        db.query(
            "RETURN count(SELECT id FROM customer_history WHERE actor = type::record('user', $u) \
             AND action = 'claim' AND at >= $since)",
        )
        .bind(("u", user.to_string()))
        .bind(("since", since))
        .await?,
    )?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
}
