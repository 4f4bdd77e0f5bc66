//! Sales targets against a real in-memory SurrealDB: who sets and sees which,
//! actuals from the work as it was done, quarter sums, the projection with the
//! forecast, and every change kept.

use crate::helpers::{at, spawn_app, TestApp};
use app::customers::model::CustomerInput;
use app::error::AppError;
use app::targets::service as targets;
use reqwest::StatusCode;

fn input(name: &str, phone: &str, amount: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        contact: "孙涛".into(),
        address: "上海市虹口区四川北路 8 号".into(),
        industry: "物流".into(),
        region: "上海".into(),
        expected_amount: amount.into(),
        ..Default::default()
    }
}

async fn move_to(app: &TestApp, who: &app::auth::model::CurrentUser, id: &str, index: usize) {
    let stages: Vec<String> = app::funnel::repo::list_stages(&app.state.db, false)
        .await
        .expect("stages")
        .into_iter()
        .map(|s| s.id)
        .collect();
    for s in &stages[1..=index] {
        app::customers::service::move_stage(
            &app.state,
            who,
            id,
            s,
            vec!["已确认".to_string(); 6],
            "",
        )
        .await
        .expect("advance");
    }
}

#[tokio::test]
async fn targets_are_set_by_the_right_people_and_measured_against_the_work() {
    let app = spawn_app().await;
    app.state.clock.set(Some(at("2026-11-10T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let rep5 = app.user("rep5").await;
    let manager1 = app.user("manager1").await;
    let boss = app.user("boss").await;
    let set = |who: &app::auth::model::CurrentUser,
               kind: &str,
               subject: &str,
               month: &str,
               amount: &str,
               deals: &str| {
        let (state, who) = (app.state.clone(), who.clone());
        let (kind, subject, month, amount, deals) = (
            kind.to_string(),
            subject.to_string(),
            month.to_string(),
            amount.to_string(),
            deals.to_string(),
        );
        async move { targets::set(&state, &who, &kind, &subject, &month, &amount, &deals).await }
    };

    set(&manager1, "user", &rep1.id, "2026-11", "100,000", "2")
        .await
        .expect("rep target");
    set(&manager1, "user", &rep1.id, "2026-10", "50000", "1")
        .await
        .expect("october");
    set(
        &manager1,
        "department",
        &manager1.department_id,
        "2026-11",
        "400000",
        "8",
    )
    .await
    .expect("department target");
    // refusals
    assert_eq!(
        set(&manager1, "user", &rep5.id, "2026-11", "1", "1").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        set(&manager1, "user", &manager1.id, "2026-11", "1", "1").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        set(&manager1, "company", "", "2026-11", "1", "1").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        set(&rep1, "user", &rep1.id, "2026-11", "1", "1").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        set(&manager1, "user", &rep1.id, "2026-11", "12.345", "1").await,
        Err(AppError::validation("amount", "amount_invalid"))
    );
    assert_eq!(
        set(&manager1, "user", &rep1.id, "2026-11", "1", "-2").await,
        Err(AppError::validation("deals", "number_invalid"))
    );
    assert_eq!(
        set(&manager1, "user", &rep1.id, "2026-13", "1", "1").await,
        Err(AppError::validation("month", "invalid"))
    );
    assert_eq!(
        set(&manager1, "user", "nobody", "2026-11", "1", "1").await,
        Err(AppError::NotFound)
    );
    set(&boss, "company", "", "2026-11", "2,000,000", "30")
        .await
        .expect("company");

    // rep1 wins ¥30,000 and has ¥10,000 at 50 % in play
    let won = app
        .locked_customer(&rep1, input("上海顺达物流有限公司", "13500000001", "30000"))
        .await;
    move_to(&app, &rep1, &won, 5).await;
    let open = app
        .locked_customer(&rep1, input("上海远通货运有限公司", "13500000002", "10000"))
        .await;
    move_to(&app, &rep1, &open, 3).await;

    let v = targets::view(&app.state, &rep1, "month", "")
        .await
        .expect("rep view");
    assert_eq!(v.month, "2026-11");
    // a rep sees their own target only
    assert_eq!(v.rows.len(), 1);
    let r = &v.rows[0];
    assert_eq!(
        (r.kind.as_str(), r.subject.as_str()),
        ("user", rep1.id.as_str())
    );
    assert_eq!(
        (r.target_cents, r.target_deals),
        (Some(10_000_000), Some(2))
    );
    assert_eq!((r.won_cents, r.won_deals), (3_000_000, 1));
    assert_eq!((r.amount_pct, r.deals_pct), (Some(30), Some(50)));
    // won + 10,000 × 50 %
    assert_eq!(r.projection_cents, Some(3_500_000));
    assert_eq!(r.in_play, 1);
    assert!(!r.reliable);

    // the manager sees the department (its actual is its people's) and the reps
    let v = targets::view(&app.state, &manager1, "month", "2026-11")
        .await
        .expect("manager view");
    assert!(v.rows.iter().all(|r| r.kind != "company"));
    let dept = v
        .rows
        .iter()
        .find(|r| r.kind == "department" && r.subject == manager1.department_id)
        .expect("dept");
    assert_eq!(
        (dept.won_cents, dept.target_cents, dept.amount_pct),
        (3_000_000, Some(40_000_000), Some(8))
    );
    assert!(dept.may_set);
    assert!(!v.rows.iter().any(|r| r.subject == rep5.id));
    // the boss sees the company
    let v = targets::view(&app.state, &boss, "month", "2026-11")
        .await
        .expect("boss view");
    let company = v
        .rows
        .iter()
        .find(|r| r.kind == "company")
        .expect("company");
    assert_eq!(
        (company.target_cents, company.won_cents),
        (Some(200_000_000), 3_000_000)
    );

    // a quarter sums its months
    let v = targets::view(&app.state, &manager1, "quarter", "2026-11")
        .await
        .expect("quarter");
    assert_eq!(v.months, vec!["2026-10", "2026-11", "2026-12"]);
    let r = v.rows.iter().find(|r| r.subject == rep1.id).unwrap();
    assert_eq!(
        (r.target_cents, r.target_deals),
        (Some(15_000_000), Some(3))
    );
    assert_eq!(r.amount_pct, Some(20));

    // a change is kept with what it was before
    set(&manager1, "user", &rep1.id, "2026-11", "120000", "3")
        .await
        .expect("raised");
    let v = targets::view(&app.state, &manager1, "month", "2026-11")
        .await
        .expect("view");
    let r = v.rows.iter().find(|r| r.subject == rep1.id).unwrap();
    assert_eq!(r.changes.len(), 2);
    assert_eq!(
        (r.changes[1].before_cents, r.changes[1].cents),
        (Some(10_000_000), 12_000_000)
    );
    assert_eq!(r.changes[1].by, manager1.name);

    // a past month shows no projection
    let v = targets::view(&app.state, &manager1, "month", "2026-10")
        .await
        .expect("october");
    assert!(v.rows.iter().all(|r| r.projection_cents.is_none()));
    app.state.clock.set(None);
}

#[tokio::test]
async fn target_endpoints_refuse_strangers_and_bad_input() {
    let app = spawn_app().await;
    assert_eq!(
        app.client().call("targets", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut rep = app.signed_in("rep1").await;
    let r = rep.call("targets", &[("period", "decade")]).await;
    assert_eq!(r.error_code(), Some("unknown_period"));
    let r = rep.call("targets", &[("month", "2026-99")]).await;
    assert_eq!(r.error_code(), Some("invalid"));
    let r = rep
        .call(
            "set_target",
            &[("kind", "company"), ("month", "2026-11"), ("amount", "1")],
        )
        .await;
    assert_eq!(r.error_kind(), Some("forbidden"));
    let r = rep
        .call(
            "set_target",
            &[("kind", "planet"), ("month", "2026-11"), ("amount", "1")],
        )
        .await;
    assert_eq!(r.error_code(), Some("invalid"));
}
