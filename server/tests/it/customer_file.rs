//! The customer file: adding is free for whoever keeps the customer; a rep's
//! correction of a registered fact waits for a manager; a collision is refused
//! like a registration; two edits on one version give one conflict; nobody
//! edits a customer they may not see, and the pool is read-only.

use crate::helpers::{count, spawn_app, TestApp};
use app::customers::model::CustomerInput;
use reqwest::StatusCode;
use serde_json::Value;

async fn customer(app: &TestApp, login: &str, name: &str, phone: &str) -> String {
    let who = app.user(login).await;
    app.locked_customer(
        &who,
        CustomerInput {
            name: name.into(),
            phones: phone.into(),
            contact: "王经理".into(),
            contact_role: "采购".into(),
            ..Default::default()
        },
    )
    .await
}

async fn index_all(app: &TestApp) {
    while app::customers::repo::index_terms_batch(&app.state.db, 100)
        .await
        .expect("index")
        > 0
    {}
}

fn version(detail: &Value) -> String {
    detail["version"].as_i64().expect("version").to_string()
}

fn timeline_kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["what"].as_object().and_then(|o| o.keys().next().cloned()))
        .collect()
}

#[tokio::test]
async fn a_rep_adds_contacts_phones_notes_position_amount_and_close_date_and_each_is_on_the_timeline(
) {
    let app = spawn_app().await;
    // three months on, whatever day the suite runs
    let close_day = (app::calendar::local_day(app.state.now(), &app.state.config.timezone)
        + chrono::Duration::days(90))
    .to_string();
    let close_day = close_day.as_str();
    let id = customer(&app, "rep1", "杭州档案测试纺织有限公司", "13800001111").await;
    let mut rep = app.signed_in("rep1").await;
    let detail = rep.call("customer", &[("id", &id)]).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    // the contact typed at registration is the first one
    let contacts = detail.body["contacts"].as_array().expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["name"], "王经理");
    assert_eq!(contacts[0]["title"], "采购");
    assert_eq!(detail.body["file"]["add"], true);
    assert_eq!(detail.body["file"]["correct"], "request");

    let r = rep
        .call(
            "add_contact",
            &[
                ("id", &id),
                ("name", "李总"),
                ("title", "总经理"),
                ("phones", "13900002222"),
                ("decision_maker", "on"),
                ("birthday", "1975-03-08"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // a name is enough
    let r = rep
        .call("add_contact", &[("id", &id), ("name", "小周")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = rep
        .call("add_phones", &[("id", &id), ("phones", "0571-8888 1234")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // a phone it holds already is refused by name
    let again = rep
        .call("add_phones", &[("id", &id), ("phones", "138 0000 1111")])
        .await;
    assert_eq!(
        again.error_code(),
        Some("phone_already_there"),
        "{}",
        again.body
    );
    let r = rep
        .call("add_note", &[("id", &id), ("text", "客户下月搬到新园区")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = rep
        .call(
            "set_position",
            &[("id", &id), ("lat", "30.27"), ("lng", "120.15")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    let r = rep
        .call(
            "set_expected",
            &[
                ("id", &id),
                ("expected_amount", "120000"),
                ("close_on", close_day),
                ("version", &version(&detail)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let detail = rep.call("customer", &[("id", &id)]).await.body;
    let names: Vec<&str> = detail["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, vec!["王经理", "李总", "小周"]);
    assert_eq!(detail["contacts"][1]["decision_maker"], true);
    assert_eq!(detail["contacts"][1]["birthday"], "1975-03-08");
    assert_eq!(detail["card"]["phones"].as_array().map(Vec::len), Some(2));
    assert_eq!(detail["card"]["expected_cents"], 12_000_000);
    assert_eq!(detail["close_on"], close_day);
    assert_eq!(detail["lat"], 30.27);

    // clearing the close date keeps the history of both values
    let r = rep
        .call(
            "set_expected",
            &[
                ("id", &id),
                ("expected_amount", "120000"),
                ("close_on", ""),
                ("version", &version(&detail)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    assert!(detail["close_on"].is_null(), "{detail}");

    let page = rep.call("customer_timeline", &[("id", &id)]).await.body;
    let kinds = timeline_kinds(&page);
    assert_eq!(
        kinds.iter().filter(|k| *k == "Contact").count(),
        3,
        "{kinds:?}"
    );
    let fields: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["what"]["Change"]["field"].as_str())
        .collect();
    for f in ["phone_add", "note", "position", "expected", "close_on"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let close: Vec<(&str, &str)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["what"]["Change"]["field"] == "close_on")
        .filter_map(|i| {
            Some((
                i["what"]["Change"]["before"].as_str()?,
                i["what"]["Change"]["after"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(close, vec![(close_day, ""), ("", close_day)]);

    // the check-in picker finds it by the contact added later
    let picked = rep.call("nearby", &[("q", "李总")]).await;
    assert_eq!(picked.status, StatusCode::OK, "{}", picked.body);
    assert!(
        picked.body.to_string().contains("杭州档案测试纺织"),
        "{}",
        picked.body
    );
    // the new contact and phone find the customer
    index_all(&app).await;
    for q in ["李总", "1234"] {
        let found = rep.call("customers", &[("view", "mine"), ("q", q)]).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        assert!(
            found.body.to_string().contains("杭州档案测试纺织"),
            "{q}: {}",
            found.body
        );
    }
}

#[tokio::test]
async fn a_reps_correction_waits_for_the_manager_who_approves_it_and_a_collision_is_refused() {
    let app = spawn_app().await;
    let id = customer(&app, "rep1", "苏州润泽科枝有限公司", "13800003333").await;
    let other = customer(&app, "rep2", "苏州另一家电子有限公司", "13800004444").await;
    let mut rep = app.signed_in("rep1").await;
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    let v = version(&detail);
    let r = rep
        .call(
            "correct_customer",
            &[
                ("id", &id),
                ("field", "name"),
                ("value", "苏州润泽科技有限公司"),
                ("reason", "登记时打错字"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "requested");
    // nothing changed yet; the request shows on the page
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    assert_eq!(detail["card"]["name"], "苏州润泽科枝有限公司");
    assert_eq!(detail["pending"].as_array().map(Vec::len), Some(1));
    assert_eq!(detail["pending"][0]["decidable"], false);
    // a rep cannot decide their own request
    let change = detail["pending"][0]["id"].as_str().expect("id").to_string();
    let own = rep
        .call("decide_change", &[("change", &change), ("approve", "yes")])
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    // nor may another rep, who does not even see the customer
    let mut rep2 = app.signed_in("rep2").await;
    let foreign = rep2
        .call("decide_change", &[("change", &change), ("approve", "yes")])
        .await;
    assert_eq!(foreign.error_kind(), Some("not_found"), "{}", foreign.body);

    // the manager is told, lists it, approves it
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM notification WHERE kind = 'change_requested')"
        )
        .await,
        1
    );
    let mut m = app.signed_in("manager1").await;
    let list = m.call("pending_changes", &[]).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body[0]["after"], "苏州润泽科技有限公司");
    assert_eq!(list.body[0]["decidable"], true);
    let ok = m
        .call("decide_change", &[("change", &change), ("approve", "yes")])
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let twice = m
        .call("decide_change", &[("change", &change), ("approve", "no")])
        .await;
    assert_eq!(twice.error_code(), Some("decided"), "{}", twice.body);
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    assert_eq!(detail["card"]["name"], "苏州润泽科技有限公司");
    assert!(detail["pending"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM notification WHERE kind = 'change_approved')"
        )
        .await,
        1
    );
    // the new name is a key: registering it again is a duplicate
    let check = rep2
        .call(
            "check_duplicate",
            &[("name", "苏州润泽科技"), ("phones", "")],
        )
        .await;
    assert_eq!(check.body["taken_by"], "name", "{}", check.body);

    // a correction to another customer's name or phone is refused at once
    let v = version(&rep.call("customer", &[("id", &id)]).await.body);
    let taken = rep
        .call(
            "correct_customer",
            &[
                ("id", &id),
                ("field", "name"),
                ("value", "苏州另一家电子"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(taken.error_code(), Some("duplicate"), "{}", taken.body);
    let v = version(&m.call("customer", &[("id", &id)]).await.body);
    let taken = m
        .call(
            "correct_customer",
            &[
                ("id", &id),
                ("field", "phones"),
                ("value", "13800003333, 13800004444"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(taken.error_code(), Some("duplicate"), "{}", taken.body);

    // a request whose new phone another customer takes before approval is refused then
    let r = rep
        .call(
            "correct_customer",
            &[
                ("id", &id),
                ("field", "phones"),
                ("value", "13800005555"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.body, "requested", "{}", r.body);
    let v2 = version(&m.call("customer", &[("id", &other)]).await.body);
    let applied = m
        .call(
            "correct_customer",
            &[
                ("id", &other),
                ("field", "phones"),
                ("value", "13800005555"),
                ("version", &v2),
            ],
        )
        .await;
    assert_eq!(applied.body, "applied", "{}", applied.body);
    let change = m.call("pending_changes", &[]).await.body[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let late = m
        .call("decide_change", &[("change", &change), ("approve", "yes")])
        .await;
    assert_eq!(late.error_code(), Some("duplicate"), "{}", late.body);
    // refusing it is still possible, and the rep is told
    let no = m
        .call("decide_change", &[("change", &change), ("approve", "no")])
        .await;
    assert_eq!(no.status, StatusCode::OK, "{}", no.body);
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM notification WHERE kind = 'change_refused')"
        )
        .await,
        1
    );
    // the trail keeps every change asked or applied (the name's request, now
    // approved; the refused phones; the other customer's phones), none deleted
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM customer_change)").await,
        3
    );
}

#[tokio::test]
async fn two_edits_on_one_version_give_one_conflict_and_a_managers_correction_applies_at_once() {
    let app = spawn_app().await;
    let id = customer(&app, "rep1", "宁波并发测试模具有限公司", "13800006666").await;
    let mut rep = app.signed_in("rep1").await;
    let mut m = app.signed_in("manager1").await;
    let v = version(&rep.call("customer", &[("id", &id)]).await.body);
    let first = rep
        .call(
            "set_expected",
            &[("id", &id), ("expected_amount", "50000"), ("version", &v)],
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = m
        .call(
            "set_expected",
            &[("id", &id), ("expected_amount", "80000"), ("version", &v)],
        )
        .await;
    assert_eq!(second.error_code(), Some("stale"), "{}", second.body);
    assert_eq!(second.status, StatusCode::CONFLICT);
    let detail = m.call("customer", &[("id", &id)]).await.body;
    assert_eq!(detail["card"]["expected_cents"], 5_000_000);
    assert_eq!(detail["file"]["correct"], "apply");
    let r = m
        .call(
            "correct_customer",
            &[
                ("id", &id),
                ("field", "region"),
                ("value", "宁波北仑"),
                ("version", &version(&detail)),
            ],
        )
        .await;
    assert_eq!(r.body, "applied", "{}", r.body);
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    assert_eq!(detail["card"]["region"], "宁波北仑");

    // both at once: exactly one wins
    let v = version(&detail);
    let mut a = app.signed_in("rep1").await;
    let mut b = app.signed_in("manager1").await;
    let one = [
        ("id", id.as_str()),
        ("field", "address"),
        ("value", "北仑大道1号"),
        ("version", v.as_str()),
    ];
    let two = [
        ("id", id.as_str()),
        ("field", "address"),
        ("value", "北仑大道2号"),
        ("version", v.as_str()),
    ];
    let (x, y) = tokio::join!(
        a.call("correct_customer", &one),
        b.call("correct_customer", &two)
    );
    let ok = [&x, &y]
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 1, "{} / {}", x.body, y.body);
    assert!([&x, &y].iter().any(|r| r.error_code() == Some("stale")));
}

#[tokio::test]
async fn nobody_edits_what_they_may_not_see_the_pool_is_read_only_and_bad_input_is_named() {
    let app = spawn_app().await;
    let id = customer(&app, "rep1", "嘉兴权限测试服饰有限公司", "13800007777").await;
    let mut rep2 = app.signed_in("rep2").await;
    for (ep, form) in [
        ("add_contact", vec![("id", id.as_str()), ("name", "张三")]),
        ("add_note", vec![("id", id.as_str()), ("text", "偷看")]),
        (
            "add_phones",
            vec![("id", id.as_str()), ("phones", "13900009999")],
        ),
        (
            "set_position",
            vec![("id", id.as_str()), ("lat", "30"), ("lng", "120")],
        ),
        (
            "set_expected",
            vec![
                ("id", id.as_str()),
                ("expected_amount", "1"),
                ("version", "1"),
            ],
        ),
        (
            "correct_customer",
            vec![
                ("id", id.as_str()),
                ("field", "region"),
                ("value", "x"),
                ("version", "1"),
            ],
        ),
    ] {
        let r = rep2.call(ep, &form).await;
        assert_eq!(r.error_kind(), Some("not_found"), "{ep}: {}", r.body);
        let out = app.client().call(ep, &form).await;
        assert_eq!(out.status, StatusCode::UNAUTHORIZED, "{ep}");
    }
    // in the pool, everyone reads it and nobody edits it
    app.state
        .db
        .query(
            "UPDATE type::record('customer', $id) SET status = 'pool', owner = NONE, due_at = NONE",
        )
        .bind(("id", id.clone()))
        .await
        .expect("to pool");
    let mut boss = app.signed_in("boss").await;
    let page = boss.call("customer", &[("id", &id)]).await.body;
    assert_eq!(page["file"]["add"], false, "{page}");
    let r = boss
        .call("add_contact", &[("id", &id), ("name", "张三")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let id = customer(&app, "rep1", "嘉兴输入测试服饰有限公司", "13800008888").await;
    let mut rep = app.signed_in("rep1").await;
    let v = version(&rep.call("customer", &[("id", &id)]).await.body);
    for (ep, form, field, code) in [
        (
            "add_contact",
            vec![("id", id.as_str()), ("name", " ")],
            "name",
            "required",
        ),
        (
            "add_contact",
            vec![
                ("id", id.as_str()),
                ("name", "张三"),
                ("birthday", "1980-02-30"),
            ],
            "birthday",
            "date_invalid",
        ),
        (
            "set_expected",
            vec![
                ("id", id.as_str()),
                ("close_on", "2020-01-01"),
                ("version", v.as_str()),
            ],
            "close_on",
            "close_before_registration",
        ),
        (
            "set_expected",
            vec![
                ("id", id.as_str()),
                ("expected_amount", "1.234"),
                ("version", v.as_str()),
            ],
            "expected_amount",
            "amount_invalid",
        ),
        (
            "set_position",
            vec![("id", id.as_str()), ("lat", "NaN"), ("lng", "120")],
            "location",
            "location_invalid",
        ),
        (
            "correct_customer",
            vec![
                ("id", id.as_str()),
                ("field", "owner"),
                ("value", "me"),
                ("version", v.as_str()),
            ],
            "field",
            "invalid",
        ),
        (
            "correct_customer",
            vec![
                ("id", id.as_str()),
                ("field", "name"),
                ("value", "有限公司"),
                ("version", v.as_str()),
            ],
            "value",
            "name_invalid",
        ),
        (
            "add_note",
            vec![("id", id.as_str()), ("text", "\u{202E}x")],
            "text",
            "bidi_chars",
        ),
    ] {
        let r = rep.call(ep, &form).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{ep} {form:?}: {}",
            r.body
        );
        assert_eq!(
            (r.error_field(), r.error_code()),
            (Some(field), Some(code)),
            "{ep}: {}",
            r.body
        );
    }
    let none = rep
        .call("add_contact", &[("id", "customer:⊥"), ("name", "张三")])
        .await;
    assert_eq!(none.error_kind(), Some("not_found"));
}

#[tokio::test]
async fn an_older_database_gets_contacts_from_what_was_typed_at_registration() {
    let app = spawn_app().await;
    let who = app.user("rep1").await;
    let id = app
        .locked_customer(
            &who,
            CustomerInput {
                name: "绍兴迁移测试印染有限公司".into(),
                phones: "13800009990".into(),
                contact: "陈主管".into(),
                decision_maker: "陈董".into(),
                dm_birthday: "1960-05-01".into(),
                ..Default::default()
            },
        )
        .await;
    // as before schema 15: no contacts, no names
    app.state
        .db
        .query("DELETE contact; UPDATE customer SET contact_names = []; UPSERT meta:schema SET version = 14;")
        .await
        .expect("older");
    server::db::apply_schema(&app.state.db)
        .await
        .expect("upgrade");
    let mut rep = app.signed_in("rep1").await;
    let detail = rep.call("customer", &[("id", &id)]).await.body;
    let contacts = detail["contacts"].as_array().expect("contacts");
    assert_eq!(contacts.len(), 2, "{detail}");
    let dm = contacts
        .iter()
        .find(|c| c["name"] == "陈董")
        .expect("the decision-maker");
    assert_eq!(dm["decision_maker"], true);
    assert_eq!(dm["birthday"], "1960-05-01");
    // a second start adds nothing
    server::db::apply_schema(&app.state.db)
        .await
        .expect("again");
    assert_eq!(count(&app, "RETURN count(SELECT id FROM contact)").await, 2);
}

#[tokio::test]
async fn the_funnel_forecasts_by_close_month_and_shows_undated_deals_apart() {
    let app = spawn_app().await;
    let rep = app.user("rep3").await;
    let stages = crate::helpers::stages(&app).await;
    let today = app::calendar::local_day(app.state.now(), &app.state.config.timezone);
    // the first of this month and 32 days: always next month
    let first = chrono::Datelike::with_day(&today, 1).expect("first of the month");
    let next_month = (first + chrono::Duration::days(32))
        .format("%Y-%m")
        .to_string();
    let close = format!("{next_month}-15");
    let mut ids = Vec::new();
    for (i, name) in [
        "月度预测甲科技有限公司",
        "月度预测乙科技有限公司",
        "月度预测丙科技有限公司",
    ]
    .iter()
    .enumerate()
    {
        let id = customer(&app, "rep3", name, &format!("1370000000{i}")).await;
        // to 方案报价 (stage 3): a probability that counts
        for to in &stages[1..4] {
            app::customers::service::move_stage(
                &app.state,
                &rep,
                &id,
                to,
                vec!["ok".into(); 3],
                "",
            )
            .await
            .expect("advance");
        }
        ids.push(id);
    }
    let mut c = app.signed_in("rep3").await;
    for id in &ids[..2] {
        let v = version(&c.call("customer", &[("id", id)]).await.body);
        let r = c
            .call(
                "set_expected",
                &[
                    ("id", id),
                    ("expected_amount", "100000"),
                    ("close_on", &close),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let f = c.call("funnel", &[("scope", "mine")]).await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.body);
    let by = &f.body["by_month"];
    let months: Vec<&str> = by["months"]
        .as_array()
        .expect("months")
        .iter()
        .filter_map(|m| m["month"].as_str())
        .collect();
    assert_eq!(months.len(), 3);
    assert_eq!(months[1], next_month);
    let probability = f.body["stages"][3]["probability"].as_i64().expect("p");
    assert_eq!(by["months"][1]["deals"], 2, "{by}");
    assert_eq!(
        by["months"][1]["cents"],
        2 * 10_000_000 * probability / 100,
        "{by}"
    );
    assert_eq!(by["undated"]["deals"], 1, "{by}");
    assert_eq!(by["months"][0]["deals"], 0, "{by}");
}
