//! Pages read what they show, not the history (issue 25): the feed's page
//! queries are index seeks that stop at a page, checked with the database's own
//! `EXPLAIN ANALYZE`, and paging through a history gives every visible event
//! exactly once, newest first.

use crate::helpers::*;
use app::feed::repo::{page_statements, Scope};
use reqwest::StatusCode;
use std::collections::HashSet;
use surrealdb::types::SurrealValue;

/// Writes `n` feed events over the demo's departments, a tenth of them for the
/// whole company, with runs of events sharing one instant; returns the
/// departments.
async fn history(app: &TestApp, n: i64) -> Vec<String> {
    let mut resp = app
        .state
        .db
        .query("SELECT VALUE record::id(id) FROM department ORDER BY id")
        .await
        .expect("departments");
    let departments: Vec<String> = resp.take(0).expect("ids");
    let base = app.state.now() - chrono::Duration::days(200);
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            // every other run of five events shares one instant
            let group = i / 5;
            let secs = if group % 2 == 1 { group * 300 } else { i * 60 };
            serde_json::json!({
                "department": departments[(i as usize) % departments.len()],
                "at": base + chrono::Duration::seconds(secs),
                "company": i % 10 == 3,
            })
        })
        .collect();
    app.state
        .db
        .query(
            "FOR $r IN $rows {
                 CREATE type::record('feed_event', <string> rand::uuid::v7()) CONTENT {
                     kind: 'followup', subject_name: '测试', text: '跟进',
                     department: type::record('department', $r.department),
                     at: <datetime> $r.at, company: $r.company, photos: [], flags: [],
                 } RETURN NONE;
             };",
        )
        .bind(("rows", rows))
        .await
        .and_then(|r| r.check())
        .expect("events");
    departments
}

/// How many rows the scans of a statement read, from `EXPLAIN ANALYZE`; panics
/// when the plan scans the table or sorts (an index seek needs neither).
async fn rows_read(
    app: &TestApp,
    statement: &str,
    binds: &[(String, serde_json::Value)],
) -> (u64, String) {
    let mut q = app.state.db.query(format!("EXPLAIN ANALYZE {statement}"));
    for (k, v) in binds {
        q = q.bind((k.clone(), v.clone()));
    }
    let mut resp = q.await.and_then(|r| r.check()).expect("explain");
    let plan: Option<String> = resp.take(0).expect("plan text");
    let plan = plan.expect("a plan");
    assert!(!plan.contains("TableScan"), "scans the table:\n{plan}");
    assert!(!plan.contains("Sort"), "sorts what it read:\n{plan}");
    let read = plan
        .lines()
        .filter(|l| l.trim_start().starts_with("IndexScan"))
        .filter_map(|l| {
            let tail = &l[l.rfind("{rows: ")? + 7..];
            tail[..tail.find(',')?].parse::<u64>().ok()
        })
        .sum();
    (read, plan)
}

#[tokio::test]
async fn each_feed_scope_is_a_seek_that_stops_at_a_page() {
    let app = spawn_app().await;
    let departments = history(&app, 3000).await;
    let limit = 20usize;
    let seen = 3usize;
    let floor = -(app.state.now() - chrono::Duration::days(199)).timestamp_micros();
    let mut binds: Vec<(String, serde_json::Value)> = vec![
        ("limit".into(), serde_json::json!(limit + seen)),
        ("floor".into(), serde_json::json!(floor)),
    ];
    for (i, d) in departments.iter().enumerate() {
        binds.push((format!("d{i}"), serde_json::json!(d)));
    }
    let scopes = [
        ("boss", Scope::All),
        ("rep", Scope::Departments(&departments[..1])),
        ("manager", Scope::Departments(&departments)),
    ];
    for (who, scope) in scopes {
        for paged in [false, true] {
            for statement in page_statements(scope, paged) {
                let (read, plan) = rows_read(&app, &statement, &binds).await;
                // each seek reads at most what the page may need from it
                assert!(
                    read <= (limit + seen) as u64,
                    "{who} (older page: {paged}) read {read} rows:\n{plan}"
                );
                assert!(read > 0, "{who}: nothing read?\n{plan}");
            }
        }
    }
}

#[tokio::test]
async fn paging_shows_every_visible_event_once_newest_first() {
    let app = spawn_app().await;
    history(&app, 700).await;
    for login in ["rep1", "manager1", "boss"] {
        let user = app.user(login).await;
        let viewer = app::feed::service::feed_viewer(&app.state, &user)
            .await
            .expect("viewer");
        // what the viewer may see, by a plain read of everything
        let mut resp = app
            .state
            .db
            .query(
                "SELECT record::id(id) AS id, at, record::id(department) AS department, company \
                 FROM feed_event ORDER BY at DESC, id ASC",
            )
            .await
            .expect("all");
        #[derive(Debug, SurrealValue)]
        struct Row {
            id: String,
            department: String,
            company: bool,
        }
        let all: Vec<Row> = resp.take(0).expect("rows");
        let expected: Vec<String> = all
            .into_iter()
            .filter(|r| {
                r.company
                    || viewer
                        .departments
                        .as_ref()
                        .is_none_or(|d| d.contains(&r.department))
            })
            .map(|r| r.id)
            .collect();
        assert!(expected.len() > 40, "{login}: {}", expected.len());

        let mut shown = Vec::new();
        let mut next = None;
        for _ in 0..200 {
            let page = app::feed::service::feed(&app.state, &user, next.as_ref())
                .await
                .expect("page");
            assert!(page.items.len() <= app::feed::model::PAGE_SIZE);
            shown.extend(page.items.into_iter().map(|i| i.id));
            next = page.next;
            if next.is_none() {
                break;
            }
        }
        assert!(next.is_none(), "{login}: paging did not end");
        let unique: HashSet<&String> = shown.iter().collect();
        assert_eq!(unique.len(), shown.len(), "{login}: an event twice");
        assert_eq!(shown, expected, "{login}: pages differ from the history");
    }
}

#[tokio::test]
async fn an_older_page_opens_from_its_link_and_a_bad_start_is_refused() {
    let app = spawn_app().await;
    history(&app, 100).await;
    let mut c = app.signed_in("rep1").await;
    let first = c.call("feed", &[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let next = &first.body["next"];
    let (before, seen) = (
        next["before"].as_str().expect("before"),
        next["seen"].as_str().expect("seen"),
    );
    // the server function: the next page, none of the first page's events
    let second = c
        .call("feed", &[("next[before]", before), ("next[seen]", seen)])
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let ids = |r: &Reply| -> HashSet<String> {
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(ids(&first).len(), app::feed::model::PAGE_SIZE);
    // the viewer's likes, read for the page's events: one, then two liked
    let items = first.body["items"].as_array().expect("items").clone();
    for (n, item) in items.iter().take(2).enumerate() {
        let id = item["id"].as_str().expect("id");
        let r = c.call("like", &[("event", id)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let again = c.call("feed", &[]).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let liked: Vec<&str> = again.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["liked"] == true)
            .map(|i| i["id"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(liked.len(), n + 1, "{liked:?}");
        assert!(liked.contains(&id));
    }
    assert!(!ids(&second).is_empty());
    assert!(ids(&first).is_disjoint(&ids(&second)));

    // the page itself, as the "older" link opens it without JavaScript
    let (status, html) = c.get(&format!("/feed?before={before}&seen={seen}")).await;
    assert_eq!(status, StatusCode::OK);
    let second_id = ids(&second).into_iter().next().expect("an event");
    assert!(html.contains(&format!("e-{second_id}")), "older page shown");
    assert!(html.contains("data-testid=\"feed-newest\""));
    // one comment box, on the card asked for, and none elsewhere
    let (_, html) = c.get(&format!("/feed?comment={second_id}")).await;
    assert!(!html.contains("class=\"comment-form\""), "not on this page");
    let first_id = ids(&first).into_iter().next().expect("an event");
    let (_, html) = c.get(&format!("/feed?comment={first_id}")).await;
    assert_eq!(html.matches("class=\"comment-form\"").count(), 1);

    // bad starts: a typed validation error, and a page that says so (not a 500)
    for (b, s, field) in [
        ("yesterday", "", "before"),
        (before, "not-an-id", "seen"),
        (before, "'; DELETE feed_event; --", "seen"),
    ] {
        let r = c
            .call("feed", &[("next[before]", b), ("next[seen]", s)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b} {s}: {}", r.body);
        assert_eq!(r.error_field(), Some(field));
        let (status, _) = c
            .get(&format!(
                "/feed?before={}&seen={}",
                urlencode(b),
                urlencode(s)
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{b} {s}");
    }
    // signed out: refused
    let r = app.client().call("feed", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.:".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
