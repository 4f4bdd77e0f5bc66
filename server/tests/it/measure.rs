//! Ranking boards and profiles against a real in-memory SurrealDB: the day sums
//! kept by the schema's events count the work as it was done (credit survives a
//! confiscation and a reassignment), ties share a rank, scopes and profiles are
//! refused to those who may not see them, and the score's settings are the
//! admin's and audited.

use crate::helpers::{at, spawn_app, stages, TestApp};
use app::auth::model::CurrentUser;
use app::customers::model::CustomerInput;
use app::customers::service as customers;
use app::error::AppError;
use app::measure::model::BoardView;
use app::measure::service as measure;
use reqwest::StatusCode;

fn input(name: &str, phone: &str, amount: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        contact: "李明".into(),
        address: "上海市徐汇区漕溪北路 18 号".into(),
        industry: "制造".into(),
        region: "上海".into(),
        expected_amount: amount.into(),
        ..Default::default()
    }
}

const NOVEMBER: (&str, &str) = ("2026-11-01", "2026-11-30");

async fn board(app: &TestApp, who: &CurrentUser, m: &str) -> BoardView {
    measure::board(
        &app.state, who, m, "custom", NOVEMBER.0, NOVEMBER.1, "", true,
    )
    .await
    .expect("board")
}

fn value_of(b: &BoardView, user: &str) -> Option<i64> {
    b.rows
        .iter()
        .find(|r| r.user_id == user)
        .and_then(|r| r.value)
}

fn rank_of(b: &BoardView, user: &str) -> u32 {
    b.rows.iter().find(|r| r.user_id == user).expect("row").rank
}

async fn advance(app: &TestApp, who: &CurrentUser, id: &str, to: &str) {
    // an answer to each of the current stage's feedback questions
    let answers = vec!["客户有兴趣".to_string(); 6];
    customers::move_stage(&app.state, who, id, to, answers, "")
        .await
        .expect("advance");
}

#[tokio::test]
async fn boards_count_the_work_as_it_was_done_and_keep_credit_after_confiscation() {
    let app = spawn_app().await;
    // Tuesday 3 November, 10:00 in Shanghai
    app.state.clock.set(Some(at("2026-11-03T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let manager1 = app.user("manager1").await;
    let s = stages(&app).await;

    let id = app
        .locked_customer(&rep1, input("上海恒信精工有限公司", "13812340001", "10000"))
        .await;
    advance(&app, &rep1, &id, &s[1]).await; // 0 → 10
    customers_followup(&app, &rep1, &id).await;
    app::field::service::check_in(
        &app.state,
        &rep1,
        app::field::service::CheckinForm {
            key: "visit-0001".into(),
            customer: id.clone(),
            lat: "31.19".into(),
            lng: "121.43".into(),
            accuracy: "20".into(),
            purpose: "送资料".into(),
            ..Default::default()
        },
        Vec::new(),
    )
    .await
    .expect("check-in");
    app::worklog::service::save(&app.state, &rep1, "2026-11-03", "拜访两家客户", "6.5", "30")
        .await
        .expect("log");
    // an edit of the log replaces its hours, it does not add them
    app::worklog::service::save(
        &app.state,
        &rep1,
        "2026-11-03",
        "拜访两家客户，整理报价",
        "7",
        "30",
    )
    .await
    .expect("log edited");

    let score = board(&app, &rep1, "score").await;
    // 10 points gained + 5 × 1 visit + 2 × 1 follow-up
    assert_eq!(value_of(&score, &rep1.id), Some(17));
    assert_eq!(
        value_of(&board(&app, &rep1, "hours").await, &rep1.id),
        Some(70)
    );
    assert_eq!(
        value_of(&board(&app, &rep1, "visits").await, &rep1.id),
        Some(1)
    );
    assert_eq!(
        value_of(&board(&app, &rep1, "locked").await, &rep1.id),
        Some(1)
    );
    // rep2, rep3, rep4 did nothing: they share second place, nobody is "4th of 3"
    assert_eq!(rank_of(&score, &rep1.id), 1);
    assert_eq!(rank_of(&score, &rep2.id), 2);
    assert_eq!(rank_of(&score, &app.user_id("rep4").await), 2);
    assert!(score
        .rows
        .iter()
        .all(|r| r.department_name == rep1.department_name));
    assert!(score.rows.iter().any(|r| r.me && r.user_id == rep1.id));

    // the stage clock (7 days at 电话意向) runs out: confiscated to the manager
    app.state.clock.set(Some(at("2026-11-12T02:00:00Z")));
    let swept = customers::sweep(&app.state).await.expect("sweep");
    assert_eq!(swept.confiscated, 1);
    let score = board(&app, &rep1, "score").await;
    // the advance and the visit stay rep1's; the confiscation costs 10 points
    assert_eq!(value_of(&score, &rep1.id), Some(7));
    // a range read as the month less its first days: with and without the 3rd
    let visits = |from: &'static str| {
        let (state, rep1) = (app.state.clone(), rep1.clone());
        async move {
            let b = measure::board(
                &state,
                &rep1,
                "visits",
                "custom",
                from,
                "2026-11-30",
                "",
                true,
            )
            .await
            .expect("board");
            value_of(&b, &rep1.id)
        }
    };
    assert_eq!(visits("2026-11-02").await, Some(1));
    assert_eq!(visits("2026-11-03").await, Some(1));
    assert_eq!(visits("2026-11-04").await, Some(0));

    // the manager gives it to rep2, who advances it: rep2's credit, not rep1's
    customers::manage(&app.state, &manager1, &id, "reassign", &rep2.id, "换人跟进")
        .await
        .expect("reassign");
    advance(&app, &rep2, &id, &s[2]).await; // 10 → 25
    let score = board(&app, &rep1, "score").await;
    assert_eq!(value_of(&score, &rep1.id), Some(7));
    assert_eq!(value_of(&score, &rep2.id), Some(15));
    assert_eq!(rank_of(&score, &rep2.id), 1);
    assert_eq!(rank_of(&score, &rep1.id), 2);

    // a win counts for whoever made it, with the amount at that moment
    advance(&app, &rep2, &id, &s[3]).await;
    advance(&app, &rep2, &id, &s[4]).await;
    advance(&app, &rep2, &id, &s[5]).await;
    advance(&app, &rep2, &id, &s[6]).await;
    assert_eq!(
        value_of(&board(&app, &rep1, "won_count").await, &rep2.id),
        Some(1)
    );
    assert_eq!(
        value_of(&board(&app, &rep1, "won_amount").await, &rep2.id),
        Some(1000000)
    );
    assert_eq!(
        value_of(&board(&app, &rep1, "won_count").await, &rep1.id),
        Some(0)
    );

    // stage success from the history: rep1 moved it on from the first stage and
    // lost it at the second; rep2 moved it on from the second
    let p = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!((p.stages[0].mine, p.stages[0].reached), (Some(100), 1));
    assert_eq!((p.stages[1].mine, p.stages[1].reached), (Some(0), 1));
    assert_eq!(p.stages[1].department, Some(50));
    assert_eq!(p.stages[2].mine, None);

    // the previous period (October) had nothing: every change is the whole value
    let b = board(&app, &rep1, "score").await;
    assert_eq!(
        (b.prev_from.as_str(), b.prev_to.as_str()),
        ("2026-10-02", "2026-10-31")
    );
    let row = b.rows.iter().find(|r| r.user_id == rep2.id).unwrap();
    assert_eq!(row.prev_value, Some(0));
    app.state.clock.set(None);
}

async fn customers_followup(app: &TestApp, who: &CurrentUser, id: &str) {
    app::field::service::follow_up(&app.state, who, id, "", "电话沟通了报价", Vec::new())
        .await
        .expect("follow-up");
}

#[tokio::test]
async fn the_pipeline_board_reads_now_and_the_snapshot_at_a_period_end() {
    let app = spawn_app().await;
    app.state.clock.set(Some(at("2026-11-03T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let s = stages(&app).await;
    let a = app
        .locked_customer(
            &rep1,
            input("上海恒泰包装材料有限公司", "13812340011", "10000"),
        )
        .await;
    let b = app
        .locked_customer(
            &rep1,
            input("苏州鼎盛塑胶制品有限公司", "13812340012", "4000"),
        )
        .await;
    advance(&app, &rep1, &a, &s[1]).await;
    advance(&app, &rep1, &a, &s[2]).await; // 25 %
    let now = measure::board(&app.state, &rep1, "pipe_amount", "month", "", "", "", false)
        .await
        .expect("board");
    // 10,000 × 25 % + 4,000 × 0 %
    assert_eq!(value_of(&now, &rep1.id), Some(250000));
    let count = measure::board(&app.state, &rep1, "pipe_count", "month", "", "", "", false)
        .await
        .expect("board");
    assert_eq!(value_of(&count, &rep1.id), Some(1));
    let _ = b;

    // last month has no snapshot: unknown, not zero
    let last = measure::board(
        &app.state,
        &rep1,
        "pipe_amount",
        "last_month",
        "",
        "",
        "",
        false,
    )
    .await
    .expect("board");
    assert_eq!(value_of(&last, &rep1.id), None);
    // a snapshot taken on the 3rd is the value at the end of a range ending then
    measure::snapshot(&app.state).await.expect("snapshot");
    advance(&app, &rep1, &a, &s[3]).await; // 50 %, after the snapshot
    let then = measure::board(
        &app.state,
        &rep1,
        "pipe_amount",
        "custom",
        "2026-11-01",
        "2026-11-03",
        "",
        false,
    )
    .await
    .expect("board");
    // the 3rd is today: the current value
    assert_eq!(value_of(&then, &rep1.id), Some(500000));
    app.state.clock.set(Some(at("2026-11-05T02:00:00Z")));
    let then = measure::board(
        &app.state,
        &rep1,
        "pipe_amount",
        "custom",
        "2026-11-01",
        "2026-11-03",
        "",
        false,
    )
    .await
    .expect("board");
    assert_eq!(value_of(&then, &rep1.id), Some(250000));
    // others without a pipeline count as zero that day
    assert_eq!(value_of(&then, &app.user_id("rep2").await), Some(0));
    app.state.clock.set(None);
}

#[tokio::test]
async fn alarm_support_counts_once_per_alarm_and_resolution_goes_to_the_author() {
    let app = spawn_app().await;
    app.state.clock.set(Some(at("2026-11-03T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let rep5 = app.user("rep5").await;
    let id = app
        .locked_customer(
            &rep1,
            input("上海宏图机电设备有限公司", "13812340021", "10000"),
        )
        .await;
    let alarm = app::alarms::service::raise(&app.state, &rep1, &id, "help", "客户嫌价格高", "")
        .await
        .expect("raise");
    let first = app::alarms::service::answer(&app.state, &rep5, &alarm, "先问清预算")
        .await
        .expect("answer");
    app::alarms::service::answer(&app.state, &rep5, &alarm, "再补充一点：分期付款")
        .await
        .expect("answer");
    app::alarms::service::accept(&app.state, &rep1, &alarm, &first.id)
        .await
        .expect("accept");
    let sup = board_scope(&app, &rep5, "supported").await;
    assert_eq!(value_of(&sup, &rep5.id), Some(1));
    let res = board_scope(&app, &rep5, "resolved").await;
    assert_eq!(value_of(&res, &rep5.id), Some(1));
    // the raiser gets neither
    let boss = app.user("boss").await;
    let all = measure::board(
        &app.state,
        &boss,
        "supported",
        "custom",
        NOVEMBER.0,
        NOVEMBER.1,
        "company",
        true,
    )
    .await
    .expect("board");
    assert_eq!(value_of(&all, &rep1.id), Some(0));
    app.state.clock.set(None);
}

async fn board_scope(app: &TestApp, who: &CurrentUser, m: &str) -> BoardView {
    board(app, who, m).await
}

#[tokio::test]
async fn scopes_are_refused_outside_what_the_viewer_may_see() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let manager1 = app.user("manager1").await;
    let rep5 = app.user("rep5").await;
    let b = |who: CurrentUser, scope: &'static str| {
        let state = app.state.clone();
        async move { measure::board(&state, &who, "score", "month", "", "", scope, false).await }
    };
    // a rep: their department; the company only when the admin allows it
    let mine = b(rep1.clone(), "").await.expect("own department");
    assert_eq!(mine.scope, format!("department:{}", rep1.department_id));
    assert!(!mine.rows.iter().any(|r| r.user_id == rep5.id));
    assert_eq!(
        b(rep1.clone(), "company").await.err(),
        Some(AppError::Forbidden)
    );
    let other = format!("department:{}", rep5.department_id);
    let other: &'static str = Box::leak(other.into_boxed_str());
    assert_eq!(
        b(rep1.clone(), other).await.err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(
        b(manager1.clone(), other).await.err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(
        b(manager1.clone(), "company").await.err(),
        Some(AppError::Forbidden)
    );
    // a rep may open only their own profile from the board
    assert!(mine.rows.iter().all(|r| r.linked == (r.user_id == rep1.id)));
    let m = b(manager1.clone(), "").await.expect("manager");
    assert!(m.rows.iter().all(|r| r.linked));
    // a manager with no deals of their own is not ranked on the score, but is on
    // the alarm boards, highlighted for themself
    assert!(!m.rows.iter().any(|r| r.user_id == manager1.id));
    let sup = measure::board(
        &app.state,
        &manager1,
        "supported",
        "month",
        "",
        "",
        "",
        false,
    )
    .await
    .expect("supported");
    assert!(sup.rows.iter().any(|r| r.user_id == manager1.id && r.me));

    // the boss sees the company, without the boss and admins on it
    let boss = app.user("boss").await;
    let c = b(boss.clone(), "company").await.expect("company");
    assert!(c.rows.iter().any(|r| r.user_id == rep5.id));
    assert!(!c.rows.iter().any(|r| r.user_id == boss.id));

    // the admin lets reps see the company board
    let admin = app.user("admin").await;
    assert_eq!(
        measure::save_settings(&app.state, &rep1, "1", "5", "2", "1", true).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        measure::save_settings(&app.state, &admin, "1", "500", "2", "1", true).await,
        Err(AppError::validation("visit", "weight_range"))
    );
    measure::save_settings(&app.state, &admin, "2", "5", "2", "1", true)
        .await
        .expect("saved");
    let c = b(rep1.clone(), "company").await.expect("company for reps");
    assert_eq!(c.weights.advance, 2);
    let audit = app
        .state
        .db
        .query(
            "SELECT VALUE detail.weights.advance FROM audit_log WHERE action = 'measure_settings'",
        )
        .await
        .expect("audit")
        .take::<Vec<i64>>(0)
        .expect("rows");
    assert_eq!(audit, vec![2]);

    // unreadable choices are typed errors
    let bad = |m: &'static str, p: &'static str, from: &'static str, to: &'static str| {
        let state = app.state.clone();
        let who = rep1.clone();
        async move { measure::board(&state, &who, m, p, from, to, "", false).await }
    };
    assert_eq!(
        bad("charm", "month", "", "").await.err(),
        Some(AppError::validation("measure", "unknown_measure"))
    );
    assert_eq!(
        bad("score", "fortnight", "", "").await.err(),
        Some(AppError::validation("period", "unknown_period"))
    );
    assert_eq!(
        bad("score", "custom", "2026-03-02", "2026-03-01")
            .await
            .err(),
        Some(AppError::validation("to", "range_reversed"))
    );
}

#[tokio::test]
async fn profiles_are_for_the_person_their_managers_and_the_boss() {
    let app = spawn_app().await;
    let rep1 = app.user_id("rep1").await;
    let mut as_rep2 = app.signed_in("rep2").await;
    let r = as_rep2.call("person_profile", &[("id", &rep1)]).await;
    assert_eq!(r.error_kind(), Some("forbidden"), "{}", r.body);
    let mut as_manager2 = app.signed_in("manager2").await;
    let r = as_manager2.call("person_profile", &[("id", &rep1)]).await;
    assert_eq!(r.error_kind(), Some("forbidden"));
    let mut as_manager1 = app.signed_in("manager1").await;
    let r = as_manager1
        .call("person_profile", &[("id", &rep1), ("weeks", "12")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["days"].as_array().unwrap().len(), 84);
    let r = as_manager1
        .call("person_profile", &[("id", &rep1), ("weeks", "5")])
        .await;
    assert_eq!(r.error_code(), Some("invalid"));
    let mut as_rep1 = app.signed_in("rep1").await;
    let r = as_rep1.call("person_profile", &[("id", &rep1)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["own"], true);
    // nobody signed in: 401 for both
    let mut anon = app.client();
    assert_eq!(
        anon.call("person_profile", &[("id", &rep1)]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        anon.call("ranking_board", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_profile_draws_the_days_with_the_department_average() {
    let app = spawn_app().await;
    app.state.clock.set(Some(at("2026-11-03T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    app::worklog::service::save(&app.state, &rep1, "2026-11-03", "拜访", "8", "0")
        .await
        .expect("log");
    app::worklog::service::save(&app.state, &rep2, "2026-11-03", "电话", "4", "0")
        .await
        .expect("log");
    let p = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!(p.days.len(), 28);
    let today = p.days.last().unwrap();
    assert_eq!(today.day, "2026-11-03");
    assert_eq!(today.hours, 8.0);
    // dept1 has rep1–rep4: (8 + 4) / 4
    assert!(
        (today.dept_hours - 3.0).abs() < 1e-9,
        "{}",
        today.dept_hours
    );
    assert!(p.days[..27].iter().all(|d| d.hours == 0.0));
    app.state.clock.set(None);
}

#[tokio::test]
async fn settled_department_days_read_the_same_as_the_live_rows() {
    let app = spawn_app().await;
    let s = stages(&app).await;
    app.state.clock.set(Some(at("2026-11-03T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let manager1 = app.user("manager1").await;
    app::worklog::service::save(&app.state, &rep1, "2026-11-03", "拜访", "8", "0")
        .await
        .expect("log");
    app::worklog::service::save(&app.state, &rep2, "2026-11-03", "电话", "4", "0")
        .await
        .expect("log");
    // stage success in the day sums: rep1 moves one on from the first stage;
    // one of rep2's is given to rep1 at the first stage
    let id = app
        .locked_customer(&rep1, input("上海沉淀机械有限公司", "13900000101", "1000"))
        .await;
    advance(&app, &rep1, &id, &s[1]).await;
    let id = app
        .locked_customer(&rep2, input("上海结算电子有限公司", "13900000102", "1000"))
        .await;
    customers::manage(&app.state, &manager1, &id, "reassign", &rep1.id, "换人跟进")
        .await
        .expect("reassign");
    // three days on, the same profile read from people's rows, then from the
    // settled department days
    app.state.clock.set(Some(at("2026-11-06T02:00:00Z")));
    let live = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!(
        app::measure::repo::settled(&app.state.db).await.unwrap(),
        None
    );
    let days = measure::settle(&app.state, false).await.expect("settle");
    // from the first day with sums (the 3rd) through two days back (the 4th)
    assert_eq!(days, 2);
    assert_eq!(
        app::measure::repo::settled(&app.state.db).await.unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 4)
    );
    let settled = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!(live, settled);
    let third = settled.days.iter().find(|d| d.day == "2026-11-03").unwrap();
    assert!(
        (third.dept_hours - 3.0).abs() < 1e-9,
        "{}",
        third.dept_hours
    );
    // rep1 moved one on from the first stage; the department also lost one there
    assert_eq!(
        (settled.stages[0].mine, settled.stages[0].department),
        (Some(100), Some(50))
    );
    // nothing new to settle the same day; one more day the day after
    assert_eq!(measure::settle(&app.state, false).await.unwrap(), 0);
    app.state.clock.set(Some(at("2026-11-07T02:00:00Z")));
    assert_eq!(measure::settle(&app.state, false).await.unwrap(), 1);
    // a log written today is read live next to the settled days
    app::worklog::service::save(&app.state, &rep2, "2026-11-07", "电话", "6", "0")
        .await
        .expect("log");
    let p = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    let today = p.days.last().unwrap();
    assert_eq!(today.day, "2026-11-07");
    assert!(
        (today.dept_hours - 1.5).abs() < 1e-9,
        "{}",
        today.dept_hours
    );
    app.state.clock.set(None);
}

#[tokio::test]
async fn a_database_from_schema_7_counts_its_history_into_stage_success_once() {
    let app = spawn_app().await;
    let s = stages(&app).await;
    app.state.clock.set(Some(at("2026-11-03T02:00:00Z")));
    let rep1 = app.user("rep1").await;
    let manager1 = app.user("manager1").await;
    let id = app
        .locked_customer(&rep1, input("上海旧账机械有限公司", "13900000201", "1000"))
        .await;
    advance(&app, &rep1, &id, &s[1]).await;
    let id = app
        .locked_customer(&rep1, input("上海旧账电子有限公司", "13900000202", "1000"))
        .await;
    let rep2 = app.user("rep2").await;
    customers::manage(&app.state, &manager1, &id, "reassign", &rep2.id, "换人跟进")
        .await
        .expect("reassign");
    let counted = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!(counted.stages[0].reached, 2);
    // as schema 7 left it: no stage counts in the day sums
    app.state
        .db
        .query("UPDATE rep_day SET moved = {}, dropped = {}; UPSERT meta:schema SET version = 7;")
        .await
        .and_then(|r| r.check())
        .expect("as schema 7");
    let before = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!(before.stages[0].reached, 0);
    // the upgrade counts the history in, and a second start does not again
    server::db::apply_schema(&app.state.db)
        .await
        .expect("schema");
    server::db::apply_schema(&app.state.db)
        .await
        .expect("schema");
    let after = measure::profile(&app.state, &rep1, &rep1.id, "4")
        .await
        .expect("profile");
    assert_eq!(after, counted);
    app.state.clock.set(None);
}
