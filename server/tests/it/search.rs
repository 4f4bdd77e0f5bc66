//! Finding a customer from a list's search box, against the real schema: by a
//! name fragment, pinyin initials or full pinyin, the last digits of a phone and
//! a contact's name — and never a customer the list would not show.

use crate::helpers::spawn_app;
use crate::helpers::TestApp;
use app::auth::model::CurrentUser;
use app::customers::model::{CustomerInput, RegisterOutcome};
use app::customers::service as svc;
use reqwest::StatusCode;
use serde_json::Value;

async fn register(
    app: &TestApp,
    who: &CurrentUser,
    name: &str,
    phone: &str,
    contact: &str,
) -> String {
    let ticked: Vec<String> = app::funnel::repo::list_qual_items(&app.state.db)
        .await
        .expect("items")
        .into_iter()
        .map(|i| i.id)
        .collect();
    let input = CustomerInput {
        name: name.into(),
        phones: phone.into(),
        contact: contact.into(),
        industry: "制造".into(),
        region: "苏州".into(),
        ..Default::default()
    };
    match svc::register(&app.state, who, input, ticked, true)
        .await
        .expect("register")
    {
        RegisterOutcome::Created { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

/// Writes the queued search terms now (the server does it beside the traffic).
async fn index_all(app: &TestApp) {
    while app::customers::repo::index_terms_batch(&app.state.db, 100)
        .await
        .expect("index")
        > 0
    {}
}

fn names(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body
        .as_array()
        .unwrap_or_else(|| panic!("a list: {body}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_rep_finds_their_customers_by_name_pinyin_phone_and_contact_and_nobody_elses() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    register(&app, &rep1, "苏州润泽科技有限公司", "13812345678", "王建国").await;
    register(&app, &rep1, "上海宏达机械有限公司", "13900001111", "李娜").await;
    // another rep's customer with the same fragments
    register(&app, &rep2, "苏州润丰物流有限公司", "13700005678", "王建华").await;
    let mut c = app.signed_in("rep1").await;
    for (q, expected) in [
        ("润泽", vec!["苏州润泽科技有限公司"]),
        ("szrz", vec!["苏州润泽科技有限公司"]),
        ("suzhourunze", vec!["苏州润泽科技有限公司"]),
        ("SZ", vec!["苏州润泽科技有限公司"]),
        ("5678", vec!["苏州润泽科技有限公司"]),
        ("王建", vec!["苏州润泽科技有限公司"]),
        ("有限公司", vec![]),
        ("机械", vec!["上海宏达机械有限公司"]),
        ("shanghai", vec!["上海宏达机械有限公司"]),
        ("润丰", vec![]),
    ] {
        let r = c.call("customers", &[("view", "mine"), ("q", q)]).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        assert_eq!(names(&r.body), expected, "rep1 searching {q}");
    }
    // an empty box is the whole list
    let r = c.call("customers", &[("view", "mine"), ("q", "  ")]).await;
    assert_eq!(names(&r.body).len(), 2);
    // too short to search: a clear refusal, not half the company
    for q in ["123", "s"] {
        let r = c.call("customers", &[("view", "mine"), ("q", q)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(
            (r.error_field(), r.error_code()),
            (Some("q"), Some("search_short"))
        );
    }
    // a rep has no team list to search
    let r = c.call("customers", &[("view", "team"), ("q", "润")]).await;
    assert_eq!(r.error_kind(), Some("forbidden"));
}

#[tokio::test]
async fn a_manager_searches_their_departments_and_the_boss_the_company() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep5 = app.user("rep5").await;
    register(&app, &rep1, "苏州润泽科技有限公司", "13812345678", "").await;
    register(&app, &rep5, "苏州润达电子有限公司", "13812340000", "").await;
    index_all(&app).await;
    assert_ne!(
        rep1.department_id, rep5.department_id,
        "rep1 and rep5 work in different departments"
    );
    let mut m = app.signed_in("manager1").await;
    let r = m.call("customers", &[("view", "team"), ("q", "szr")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(names(&r.body), vec!["苏州润泽科技有限公司"]);
    // phones of a rep's customer stay masked in a manager's list
    let phones = r.body[0]["phones"].to_string();
    assert!(!phones.contains("13812345678"), "{phones}");
    let mut b = app.signed_in("boss").await;
    let r = b.call("customers", &[("view", "team"), ("q", "szr")]).await;
    assert_eq!(
        names(&r.body),
        vec!["苏州润泽科技有限公司", "苏州润达电子有限公司"]
    );
    let r = b
        .call("customers", &[("view", "team"), ("q", "1234")])
        .await;
    assert_eq!(names(&r.body).len(), 2);
}

#[tokio::test]
async fn the_pool_is_searched_by_name_but_its_hidden_phones_only_by_the_whole_number() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let id = register(&app, &rep1, "杭州清源环保有限公司", "13855556666", "").await;
    index_all(&app).await;
    // in the pool, as a confiscation or a release leaves it
    app.state
        .db
        .query(
            "UPDATE type::record('customer', $id) SET status = 'pool', owner = NONE,
                 department = NONE, due_at = NONE, due_clock = NONE, warn_at = NONE",
        )
        .bind(("id", id))
        .await
        .expect("to the pool");
    let mut c = app.signed_in("rep2").await;
    let found = |r: &crate::helpers::Reply| names(&r.body);
    let r = c.call("pool", &[("q", "qingyuan")]).await;
    assert_eq!(found(&r), vec!["杭州清源环保有限公司"]);
    let r = c.call("pool", &[("q", "清源"), ("industry", "制造")]).await;
    assert_eq!(found(&r), vec!["杭州清源环保有限公司"]);
    let r = c.call("pool", &[("q", "清源"), ("industry", "餐饮")]).await;
    assert!(found(&r).is_empty());
    // masked digits cannot be probed a fragment at a time
    let r = c.call("pool", &[("q", "6666")]).await;
    assert!(found(&r).is_empty(), "{}", r.body);
    let r = c.call("pool", &[("q", "138 5555 6666")]).await;
    assert_eq!(found(&r), vec!["杭州清源环保有限公司"]);
    assert!(!r.body[0]["phones"].to_string().contains("13855556666"));
}

#[tokio::test]
async fn customers_from_before_search_get_their_terms_from_the_queue() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    register(&app, &rep1, "宁波海曙纺织有限公司", "13811112222", "").await;
    index_all(&app).await;
    // as a database from before schema 14: no terms, every customer queued
    app.state
        .db
        .query("DELETE customer_term; INSERT INTO term_todo (SELECT id AS customer FROM customer);")
        .await
        .expect("reset");
    let boss = app.user("boss").await;
    let search = |q: &'static str| {
        let app = &app;
        let boss = boss.clone();
        async move {
            svc::search_page(&app.state, &boss, "team", q, 0)
                .await
                .expect("search")
                .len()
        }
    };
    assert_eq!(search("nbhs").await, 0);
    let mut indexed = 0;
    loop {
        let n = app::customers::repo::index_terms_batch(&app.state.db, 1)
            .await
            .expect("batch");
        if n == 0 {
            break;
        }
        indexed += n;
    }
    assert!(indexed >= 1);
    assert_eq!(search("nbhs").await, 1);
    assert_eq!(search("2222").await, 1);
    // a second pass finds nothing to do and writes nothing twice
    assert_eq!(
        app::customers::repo::index_terms_batch(&app.state.db, 10)
            .await
            .expect("again"),
        0
    );
}
