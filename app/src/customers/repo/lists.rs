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

/// Terms read per prefix and round of a search, and the rounds at most: a
/// fragment that names more customers than that company-wide finds the first
/// of them (type more).
pub const SEARCH_ROUND: usize = 200;
pub const SEARCH_ROUNDS: usize = 10;

/// Customers in a list's scope found by a search: the ids under the terms
/// starting with one of `prefixes` (a range of the term index each, read
/// `SEARCH_ROUND` terms at a time from where the last round stopped), then
/// those customers read by id and held to the list's own conditions, until
/// `limit` are found. Never a scan of the customers table.
pub async fn search(
    db: &Db,
    scope: &ListScope,
    filter: &PoolFilter,
    prefixes: &[String],
    limit: usize,
) -> AppResult<Vec<CustomerRow>> {
    #[derive(Debug, Clone, SurrealValue)]
    struct Hit {
        term: String,
        customer: String,
    }
    let cond = conditions(scope, filter);
    let cond = if cond.is_empty() {
        "true".to_string()
    } else {
        cond.join(" AND ")
    };
    let rows_sql = format!(
        "SELECT {} FROM $ids WHERE {cond} LIMIT $limit",
        row_fields()
    );
    // per prefix: the last term read (the next round starts after it), or done
    let mut from: Vec<Option<String>> = prefixes.iter().map(|p| Some(p.clone())).collect();
    let mut seen = std::collections::HashSet::new();
    let mut found: Vec<CustomerRow> = Vec::new();
    for _ in 0..SEARCH_ROUNDS {
        let mut ids = Vec::new();
        for (prefix, start) in prefixes.iter().zip(from.iter_mut()) {
            let Some(lo) = start.clone() else { continue };
            let first = lo == *prefix;
            let mut resp = checked(
                db.query(format!(
                    "SELECT term, record::id(customer) AS customer FROM customer_term \
                     WITH INDEX customer_term_term WHERE term {} $lo AND term < $hi \
                     ORDER BY term LIMIT $n",
                    if first { ">=" } else { ">" }
                ))
                .bind(("lo", lo))
                .bind(("hi", crate::customers::search::prefix_end(prefix)))
                .bind(("n", SEARCH_ROUND as i64))
                .await?,
            )?;
            let hits: Vec<Hit> = resp.take(0)?;
            *start = if hits.len() < SEARCH_ROUND {
                None
            } else {
                hits.last().map(|h| h.term.clone())
            };
            ids.extend(
                hits.into_iter()
                    .map(|h| h.customer)
                    .filter(|c| seen.insert(c.clone())),
            );
        }
        if !ids.is_empty() {
            let mut resp = checked(
                bound(db, rows_sql.clone(), scope, filter)
                    .bind(("ids", crate::db::record_ids("customer", &ids)))
                    .bind(("limit", (limit - found.len()) as i64))
                    .await?,
            )?;
            let rows: Vec<CustomerRow> = resp.take(0)?;
            found.extend(rows);
        }
        if found.len() >= limit || from.iter().all(Option::is_none) {
            break;
        }
    }
    found.sort_by(|a, b| {
        (a.state.due_at.is_none(), a.state.due_at)
            .cmp(&(b.state.due_at.is_none(), b.state.due_at))
            .then(b.created_at.cmp(&a.created_at))
    });
    Ok(found)
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
