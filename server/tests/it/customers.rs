//! The ownership engine against a real in-memory SurrealDB with the real schema:
//! registration races, the wolf lock, visibility, confiscation, the pool.
//! Service calls go straight to `app::customers::service`; refusals over HTTP too.

use crate::helpers::{spawn_app, stages, TestApp};
use app::auth::model::CurrentUser;
use app::customers::model::{CustomerInput, RegisterOutcome, Status};
use app::customers::service::{self as svc, Ctx, Settled};
use app::error::AppError;
use reqwest::StatusCode;

async fn user(app: &TestApp, login: &str) -> CurrentUser {
    app.user(login).await
}

fn input(name: &str, phone: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        industry: "制造".into(),
        region: "上海".into(),
        expected_amount: "10000".into(),
        ..Default::default()
    }
}

async fn checklist(app: &TestApp) -> Vec<String> {
    app::funnel::repo::list_qual_items(&app.state.db)
        .await
        .expect("items")
        .into_iter()
        .map(|i| i.id)
        .collect()
}

/// Registers a qualified (locked) customer and returns its id.
async fn locked(app: &TestApp, who: &CurrentUser, name: &str, phone: &str) -> String {
    let ticked = checklist(app).await;
    match svc::register(&app.state, who, input(name, phone), ticked, true)
        .await
        .expect("register")
    {
        RegisterOutcome::Created {
            id, locked: true, ..
        } => id,
        other => panic!("expected a locked customer, got {other:?}"),
    }
}

async fn status_and_owner(app: &TestApp, id: &str) -> (Status, Option<String>) {
    let row = app::customers::repo::load(&app.state.db, id)
        .await
        .expect("load")
        .expect("exists");
    (row.state.status(), row.state.owner)
}

async fn actions(app: &TestApp, id: &str) -> Vec<String> {
    app::customers::repo::history(&app.state.db, id)
        .await
        .expect("history")
        .into_iter()
        .map(|h| h.action)
        .collect()
}

const DAY: i64 = 86_400;

#[tokio::test]
async fn a_hundred_concurrent_registrations_of_one_company_leave_exactly_one() {
    let app = spawn_app().await;
    let reps = [
        user(&app, "rep1").await,
        user(&app, "rep2").await,
        user(&app, "rep5").await,
        user(&app, "rep6").await,
    ];
    let variants = [
        "华为技术有限公司",
        "华为技术有限责任公司",
        "华为技术股份有限公司",
        "华为技术（中国）有限公司",
        " 华为技术 公司 ",
        "华为技术集团",
        "華為技術",
    ];
    let mut tasks = Vec::new();
    for i in 0..100 {
        let state = app.state.clone();
        let who = reps[i % reps.len()].clone();
        // 華為技術 is traditional script: a different key, so use only the first six
        let name = variants[i % 6].to_string();
        // every attempt has its own phone: only the name key collides
        let phone = format!("139{:08}", i);
        tasks.push(tokio::spawn(async move {
            svc::register(&state, &who, input(&name, &phone), vec![], true).await
        }));
    }
    let mut created = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.expect("task").expect("no error") {
            RegisterOutcome::Created { .. } => created += 1,
            RegisterOutcome::Duplicate { .. } => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((created, refused), (1, 99));
    let mut resp = app
        .state
        .db
        .query("RETURN count(SELECT id FROM customer WHERE name_key = '华为技术')")
        .await
        .expect("count");
    let n: Option<i64> = resp.take(0).expect("n");
    assert_eq!(n, Some(1));
    let _ = variants[6];
}

#[tokio::test]
async fn duplicates_by_name_or_phone_are_refused_with_the_date_only() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let rep2 = user(&app, "rep2").await;
    locked(&app, &rep1, "上海宝钢包装股份有限公司", "021-5888 1234").await;

    let same_name = svc::register(
        &app.state,
        &rep2,
        input("上海宝钢包装 有限公司", "13900000001"),
        vec![],
        true,
    )
    .await
    .expect("answer");
    assert!(
        matches!(same_name, RegisterOutcome::Duplicate { mine: false, .. }),
        "{same_name:?}"
    );
    let same_phone = svc::register(
        &app.state,
        &rep2,
        input("另一家公司", "+86 21 58881234"),
        vec![],
        true,
    )
    .await
    .expect("answer");
    assert!(
        matches!(same_phone, RegisterOutcome::Duplicate { .. }),
        "{same_phone:?}"
    );
    let own = svc::check_duplicate(&app.state, &rep1, "上海宝钢包装", "")
        .await
        .expect("check");
    assert!(own.mine && own.taken_on.is_some());

    // a similar name needs confirmation, and nothing is saved without it
    let near = svc::register(
        &app.state,
        &rep2,
        input("上海宝钢包装材料", "13900000002"),
        vec![],
        false,
    )
    .await
    .expect("answer");
    // rep2 may not read rep1's customers: the similar one is counted, not named
    match near {
        RegisterOutcome::NearMatch { names, hidden } => {
            assert_eq!((names, hidden), (Vec::<String>::new(), 1))
        }
        other => panic!("expected a near match, got {other:?}"),
    }
    // its owner and their manager read the name
    let manager1 = user(&app, "manager1").await;
    for who in [&rep1, &manager1] {
        let d = svc::check_duplicate(&app.state, who, "上海宝钢包装材料", "")
            .await
            .expect("check");
        assert_eq!(
            (d.near, d.near_hidden),
            (vec!["上海宝钢包装股份有限公司".to_string()], 0),
            "{}",
            who.login
        );
    }
    let confirmed = svc::register(
        &app.state,
        &rep2,
        input("上海宝钢包装材料", "13900000002"),
        vec![],
        true,
    )
    .await
    .expect("answer");
    assert!(
        matches!(confirmed, RegisterOutcome::Created { locked: false, .. }),
        "{confirmed:?}"
    );
}

#[tokio::test]
async fn bad_registrations_name_the_field_and_save_nothing() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let mut bad = input("好公司", "12");
    let err = svc::register(&app.state, &rep1, bad.clone(), vec![], true)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::validation("phones", "phone_invalid"));
    bad.phones = "13800000000".into();
    bad.founded_on = "2020-02-30".into();
    let err = svc::register(&app.state, &rep1, bad.clone(), vec![], true)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::validation("founded_on", "date_invalid"));
    bad.founded_on = String::new();
    bad.referred_by = "nosuchcustomer".into();
    let err = svc::register(&app.state, &rep1, bad, vec![], true)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::validation("referred_by", "not_found"));
    let left = svc::list_customers(&app.state, &rep1, "mine")
        .await
        .expect("list");
    assert!(left.is_empty());
}

#[tokio::test]
async fn a_draft_locks_when_the_checklist_is_complete() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let items = checklist(&app).await;
    let id = match svc::register(
        &app.state,
        &rep1,
        input("草稿公司", "13800000001"),
        items[..1].to_vec(),
        true,
    )
    .await
    .expect("register")
    {
        RegisterOutcome::Created {
            id, locked: false, ..
        } => id,
        other => panic!("{other:?}"),
    };
    assert_eq!(status_and_owner(&app, &id).await.0, Status::Draft);
    let rep2 = user(&app, "rep2").await;
    assert_eq!(
        svc::tick_checklist(&app.state, &rep2, &id, items.clone()).await,
        Err(AppError::NotFound)
    );
    assert!(
        !svc::tick_checklist(&app.state, &rep1, &id, items[..2].to_vec())
            .await
            .expect("tick")
    );
    assert!(svc::tick_checklist(&app.state, &rep1, &id, items.clone())
        .await
        .expect("tick"));
    assert_eq!(status_and_owner(&app, &id).await.0, Status::Owned);
    assert_eq!(
        actions(&app, &id).await,
        vec!["qualify", "checklist", "register"]
    );
}

#[tokio::test]
async fn reps_see_their_own_managers_their_tree_bosses_all() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let rep2 = user(&app, "rep2").await;
    let manager1 = user(&app, "manager1").await;
    let manager2 = user(&app, "manager2").await;
    let boss = user(&app, "boss").await;
    let id = locked(&app, &rep1, "可见性公司", "13800000002").await;
    let s = stages(&app).await;

    assert!(svc::detail(&app.state, &rep1, &id).await.is_ok());
    assert_eq!(
        svc::detail(&app.state, &rep2, &id).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        svc::detail(&app.state, &manager2, &id).await.unwrap_err(),
        AppError::NotFound
    );
    assert!(svc::detail(&app.state, &manager1, &id).await.is_ok());
    assert!(svc::detail(&app.state, &boss, &id).await.is_ok());

    // every write refuses outsiders the same way, and changes nothing
    let before = actions(&app, &id).await;
    let answers = vec!["x".to_string()];
    assert_eq!(
        svc::move_stage(&app.state, &rep2, &id, &s[1], answers.clone(), "").await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        svc::propose_lost(&app.state, &rep2, &id, "客户已经倒闭了，无法继续").await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        svc::release(&app.state, &rep2, &id, "不要了").await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        svc::manage(&app.state, &rep2, &id, "keep", "", "").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        svc::manage(
            &app.state,
            &manager2,
            &id,
            "reassign",
            &app.user_id("rep5").await,
            ""
        )
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        svc::manage(
            &app.state,
            &manager1,
            &id,
            "reassign",
            &app.user_id("rep5").await,
            ""
        )
        .await,
        Err(AppError::validation("to_user", "not_found"))
    );
    assert_eq!(
        svc::manage(&app.state, &manager2, &id, "keep", "", "").await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        svc::claim(&app.state, &rep2, &id).await,
        Err(AppError::NotFound)
    );
    assert_eq!(actions(&app, &id).await, before);

    assert_eq!(
        svc::list_customers(&app.state, &rep2, "mine")
            .await
            .expect("list")
            .len(),
        0
    );
    assert_eq!(
        svc::list_customers(&app.state, &rep2, "team").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        svc::list_customers(&app.state, &manager1, "team")
            .await
            .expect("team")
            .len(),
        1
    );
    assert_eq!(
        svc::list_customers(&app.state, &manager2, "team")
            .await
            .expect("team")
            .len(),
        0
    );
    assert_eq!(
        svc::list_customers(&app.state, &boss, "team")
            .await
            .expect("all")
            .len(),
        1
    );
    assert_eq!(
        svc::disputes(&app.state, &rep1).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        svc::assignees(&app.state, &rep1).await,
        Err(AppError::Forbidden)
    );
}

#[tokio::test]
async fn stages_move_forward_with_feedback_and_back_only_by_a_manager() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let manager1 = user(&app, "manager1").await;
    let id = locked(&app, &rep1, "推进公司", "13800000003").await;
    let s = stages(&app).await;

    let none: Vec<String> = vec![];
    assert_eq!(
        svc::move_stage(&app.state, &rep1, &id, &s[1], none.clone(), "").await,
        Err(AppError::validation("answers", "feedback_required"))
    );
    svc::move_stage(&app.state, &rep1, &id, &s[1], vec!["客户有兴趣".into()], "")
        .await
        .expect("advance");
    assert_eq!(
        svc::move_stage(&app.state, &rep1, &id, &s[3], none.clone(), "").await,
        Err(AppError::validation("reason", "skip_needs_reason"))
    );
    svc::move_stage(
        &app.state,
        &rep1,
        &id,
        &s[3],
        none.clone(),
        "客户直接要样品并认可",
    )
    .await
    .expect("skip");
    assert_eq!(
        svc::move_stage(&app.state, &rep1, &id, &s[2], none.clone(), "退回").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        svc::move_stage(&app.state, &manager1, &id, &s[2], none.clone(), "").await,
        Err(AppError::validation("reason", "required"))
    );
    // a manager does not push a rep's customer forward
    assert_eq!(
        svc::move_stage(&app.state, &manager1, &id, &s[4], none.clone(), "跳").await,
        Err(AppError::Forbidden)
    );
    svc::move_stage(&app.state, &manager1, &id, &s[2], none, "样品还没确认")
        .await
        .expect("back");
    let d = svc::detail(&app.state, &rep1, &id).await.expect("detail");
    assert_eq!(d.stage_id, s[2]);
    assert_eq!(
        actions(&app, &id).await,
        vec!["back", "skip", "advance", "register_locked"]
    );
    let advance = d
        .history
        .iter()
        .find(|h| h.action == "advance")
        .expect("advance row");
    assert_eq!(
        advance.feedback,
        vec![("首次电话沟通结果".to_string(), "客户有兴趣".to_string())]
    );
}

#[tokio::test]
async fn an_overdue_customer_goes_to_the_manager_once_and_is_reassigned() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let rep2 = user(&app, "rep2").await;
    let manager1 = user(&app, "manager1").await;
    let id = locked(&app, &rep1, "超期公司", "13800000004").await;

    app.state.clock.advance(10 * DAY);
    // the lazy rule: reading it confiscates, without any sweep
    assert_eq!(
        svc::detail(&app.state, &rep1, &id).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        status_and_owner(&app, &id).await,
        (Status::Held, Some(manager1.id.clone()))
    );
    let report = svc::sweep(&app.state).await.expect("sweep");
    assert_eq!(report.confiscated, 0, "already settled");
    let history = app::customers::repo::history(&app.state.db, &id)
        .await
        .expect("history");
    let confiscations: Vec<_> = history
        .iter()
        .filter(|h| h.action == "confiscate")
        .collect();
    assert_eq!(confiscations.len(), 1);
    assert_eq!(confiscations[0].rule.as_deref(), Some("stage_overdue"));
    assert_eq!(
        confiscations[0].actor_name, None,
        "the rule acted, not a person"
    );

    let notes = app::notifications::service::notifications(&app.state, &rep1)
        .await
        .expect("notes");
    assert!(notes.iter().any(|n| n.kind == "confiscated"));
    let inbox = svc::list_customers(&app.state, &manager1, "inbox")
        .await
        .expect("inbox");
    assert_eq!(
        inbox.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![id.clone()]
    );

    svc::manage(&app.state, &manager1, &id, "reassign", &rep2.id, "")
        .await
        .expect("reassign");
    assert_eq!(
        status_and_owner(&app, &id).await,
        (Status::Owned, Some(rep2.id.clone()))
    );
    // fresh clocks for the new owner
    let d = svc::detail(&app.state, &rep2, &id).await.expect("detail");
    assert!(d.card.due.expect("due").days_left >= 2);
}

#[tokio::test]
async fn the_sweeper_confiscates_to_the_pool_and_reclaim_waits_for_the_cooldown() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let rep2 = user(&app, "rep2").await;
    let admin = user(&app, "admin").await;
    let dept = rep1.department_id.clone();
    let policy =
        app::funnel::config::parse_policy("15", "30", "20", false, "3", "pool", "7", "", "30")
            .expect("policy");
    app::funnel::repo::save_policy(&app.state.db, &admin.id, Some(&dept), Some(policy))
        .await
        .expect("save");
    let id = locked(&app, &rep1, "公海公司", "13812345678").await;

    app.state.clock.advance(10 * DAY);
    let report = svc::sweep(&app.state).await.expect("sweep");
    assert_eq!(report.confiscated, 1);
    assert_eq!(svc::sweep(&app.state).await.expect("again").confiscated, 0);
    assert_eq!(status_and_owner(&app, &id).await, (Status::Pool, None));

    let pool = svc::pool(&app.state, Default::default())
        .await
        .expect("pool");
    let card = pool.iter().find(|c| c.id == id).expect("in pool");
    assert_eq!(card.phones, vec!["138******78"]);
    let filtered = svc::pool(
        &app.state,
        app::customers::repo::PoolFilter {
            industry: "零售".into(),
            ..Default::default()
        },
    )
    .await
    .expect("pool");
    assert!(filtered.is_empty());
    let d = svc::detail(&app.state, &rep2, &id)
        .await
        .expect("pool detail");
    assert_eq!(d.card.phones, vec!["138******78"]);

    assert_eq!(
        svc::claim(&app.state, &rep1, &id).await,
        Err(AppError::conflict("reclaim_cooldown"))
    );
    svc::claim(&app.state, &rep2, &id).await.expect("claim");
    assert_eq!(
        status_and_owner(&app, &id).await,
        (Status::Owned, Some(rep2.id.clone()))
    );
    // the new owner sees the whole story, and the real number
    let d = svc::detail(&app.state, &rep2, &id).await.expect("detail");
    assert_eq!(d.card.phones, vec!["13812345678"]);
    assert_eq!(
        actions(&app, &id).await,
        vec!["claim", "confiscate", "register_locked"]
    );
    assert_eq!(
        svc::claim(&app.state, &rep1, &id).await,
        Err(AppError::conflict("not_owned"))
    );
}

#[tokio::test]
async fn the_previous_owner_may_reclaim_after_the_cooldown_and_claims_respect_the_cap() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let rep2 = user(&app, "rep2").await;
    let admin = user(&app, "admin").await;
    let policy =
        app::funnel::config::parse_policy("15", "30", "1", false, "3", "pool", "7", "1", "30")
            .expect("policy");
    app::funnel::repo::save_policy(&app.state.db, &admin.id, None, Some(policy))
        .await
        .expect("save");
    let a = locked(&app, &rep1, "冷却公司", "13800000005").await;
    // at the cap (1): the next registration stays a draft, and release is allowed
    let ticked = checklist(&app).await;
    let b = match svc::register(
        &app.state,
        &rep1,
        input("第二家", "13800000006"),
        ticked,
        true,
    )
    .await
    .expect("r")
    {
        RegisterOutcome::Created {
            id,
            locked: false,
            at_cap: true,
        } => id,
        other => panic!("{other:?}"),
    };
    assert_eq!(status_and_owner(&app, &b).await.0, Status::Draft);
    assert_eq!(
        svc::release(&app.state, &rep1, &a, "").await,
        Err(AppError::validation("reason", "required"))
    );
    svc::release(&app.state, &rep1, &a, "客户转向竞争对手，需要名额")
        .await
        .expect("release");
    assert_eq!(
        svc::claim(&app.state, &rep1, &a).await,
        Err(AppError::conflict("reclaim_cooldown"))
    );
    app.state.clock.advance(8 * DAY);
    // the draft's stage clock ran out meanwhile: it went to the pool as well
    svc::sweep(&app.state).await.expect("sweep");
    svc::claim(&app.state, &rep1, &a)
        .await
        .expect("reclaim after 7 days");
    assert_eq!(svc::claim(&app.state, &rep2, &b).await, Ok(()));
    // rep2 is at the cap of 1 now
    let c = locked(&app, &user(&app, "rep3").await, "第三家", "13800000007").await;
    svc::release(&app.state, &user(&app, "rep3").await, &c, "名额已满")
        .await
        .expect("release at cap");
    assert_eq!(
        svc::claim(&app.state, &rep2, &c).await,
        Err(AppError::conflict("at_cap"))
    );
}

#[tokio::test]
async fn a_sweep_racing_a_stage_advance_at_the_deadline_has_exactly_one_outcome() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let s = stages(&app).await;
    let (mut confiscated, mut advanced) = (0, 0);
    for i in 0..20 {
        let id = locked(
            &app,
            &rep1,
            &format!("竞态公司{i}"),
            &format!("1370000{i:04}"),
        )
        .await;
        let row = app::customers::repo::load(&app.state.db, &id)
            .await
            .expect("load")
            .expect("row");
        // the sweeper's view: the stage deadline has just passed
        let mut ctx = Ctx::load(&app.state).await.expect("ctx");
        ctx.now = row.state.due_at.expect("due");
        let state = app.state.clone();
        let sweep = tokio::spawn(async move { svc::settle(&state, &ctx, &row).await });
        // the rep's view: one moment before the deadline (the app clock is earlier)
        let state = app.state.clone();
        let rep = rep1.clone();
        let next = s[1].clone();
        let id2 = id.clone();
        let advance = tokio::spawn(async move {
            svc::move_stage(&state, &rep, &id2, &next, vec!["有意向".into()], "").await
        });
        let settled = sweep.await.expect("task").expect("settle");
        let moved = advance.await.expect("task");
        let history = actions(&app, &id).await;
        let (status, _) = status_and_owner(&app, &id).await;
        match (settled, moved) {
            (Settled::Confiscated, Err(e)) => {
                assert_eq!(e, AppError::conflict("not_owned"));
                assert_eq!(status, Status::Held);
                assert_eq!(history, vec!["confiscate", "register_locked"]);
                confiscated += 1;
            }
            (Settled::Unchanged, Ok(())) => {
                assert_eq!(status, Status::Owned);
                assert_eq!(history, vec!["advance", "register_locked"]);
                advanced += 1;
            }
            other => panic!("two outcomes or none: {other:?}, history {history:?}"),
        }
    }
    assert_eq!(confiscated + advanced, 20);
}

#[tokio::test]
async fn warnings_go_to_the_rep_then_the_manager_once_each() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let manager1 = user(&app, "manager1").await;
    let id = locked(&app, &rep1, "预警公司", "13800000008").await;
    let row = app::customers::repo::load(&app.state.db, &id)
        .await
        .expect("load")
        .expect("row");
    let due = row.state.due_at.expect("due");
    // the stage clock (3 days): today is already within 3 days of it
    let r = svc::sweep(&app.state).await.expect("sweep");
    assert_eq!(r.warned, 1);
    assert_eq!(svc::sweep(&app.state).await.expect("again").warned, 0);
    let kinds = |v: Vec<app::notifications::model::Notification>| {
        v.into_iter().map(|n| n.kind).collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(
            app::notifications::service::notifications(&app.state, &rep1)
                .await
                .expect("n")
        ),
        vec!["warning_rep"]
    );
    // the last day: rep and manager
    let last_day = due - chrono::Duration::hours(12);
    app.state
        .clock
        .advance((last_day - app.state.now()).num_seconds());
    assert_eq!(svc::sweep(&app.state).await.expect("sweep").warned, 1);
    assert_eq!(svc::sweep(&app.state).await.expect("again").warned, 0);
    assert_eq!(
        kinds(
            app::notifications::service::notifications(&app.state, &rep1)
                .await
                .expect("n")
        ),
        vec!["warning_manager", "warning_rep"]
    );
    assert_eq!(
        kinds(
            app::notifications::service::notifications(&app.state, &manager1)
                .await
                .expect("n")
        ),
        vec!["warning_manager"]
    );
}

#[tokio::test]
async fn a_dispute_goes_to_the_manager_who_decides_who_keeps_it() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let rep2 = user(&app, "rep2").await;
    let manager1 = user(&app, "manager1").await;
    let manager2 = user(&app, "manager2").await;
    let id = locked(&app, &rep1, "争议公司", "13800000009").await;
    svc::raise_dispute(
        &app.state,
        &rep2,
        "争议公司有限公司",
        "",
        "我上周就拜访过他们老板",
    )
    .await
    .expect("dispute");
    assert_eq!(
        svc::raise_dispute(&app.state, &rep2, "争议公司", "", "again").await,
        Err(AppError::conflict("dispute_open"))
    );
    assert_eq!(
        svc::raise_dispute(&app.state, &rep2, "没有这家", "", "").await,
        Err(AppError::NotFound)
    );
    assert!(svc::disputes(&app.state, &manager2)
        .await
        .expect("none")
        .is_empty());
    let open = svc::disputes(&app.state, &manager1)
        .await
        .expect("disputes");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].customer_id, id);
    assert_eq!(
        svc::decide_dispute(&app.state, &manager2, &open[0].id, true).await,
        Err(AppError::NotFound)
    );
    svc::decide_dispute(&app.state, &manager1, &open[0].id, true)
        .await
        .expect("decide");
    assert_eq!(
        status_and_owner(&app, &id).await,
        (Status::Owned, Some(rep2.id.clone()))
    );
    assert_eq!(actions(&app, &id).await[0], "dispute_transfer");
    assert!(svc::disputes(&app.state, &manager1)
        .await
        .expect("closed")
        .is_empty());
}

#[tokio::test]
async fn lost_needs_a_post_mortem_and_a_managers_approval() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let manager1 = user(&app, "manager1").await;
    let id = locked(&app, &rep1, "丢单公司", "13800000010").await;
    assert_eq!(
        svc::propose_lost(&app.state, &rep1, &id, "不要了").await,
        Err(AppError::validation("post_mortem", "post_mortem_short"))
    );
    svc::propose_lost(
        &app.state,
        &rep1,
        &id,
        "价格比竞品高20%，决策人换成了采购总监",
    )
    .await
    .expect("propose");
    assert_eq!(
        svc::decide_lost(&app.state, &rep1, &id, true).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        status_and_owner(&app, &id).await.0,
        Status::Owned,
        "still locked until approved"
    );
    svc::decide_lost(&app.state, &manager1, &id, true)
        .await
        .expect("approve");
    assert_eq!(status_and_owner(&app, &id).await, (Status::Lost, None));
    // nothing is deleted: the customer and its history stay readable for the manager
    let d = svc::detail(&app.state, &manager1, &id)
        .await
        .expect("detail");
    assert_eq!(d.history[0].action, "lost");
}

#[tokio::test]
async fn customer_endpoints_refuse_visitors_and_outsiders_over_http() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let id = locked(&app, &rep1, "接口公司", "13800000011").await;
    let mut anon = app.client();
    for endpoint in [
        "customers",
        "customer",
        "pool",
        "register_customer",
        "move_stage",
        "funnel",
        "disputes",
    ] {
        let r = anon
            .call(
                endpoint,
                &[
                    ("id", &id),
                    ("view", "mine"),
                    ("scope", "mine"),
                    ("name", "x"),
                    ("phones", "13800000000"),
                    ("to_stage", "s1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{endpoint}: {}", r.body);
    }
    let mut rep2 = app.signed_in("rep2").await;
    let r = rep2.call("customer", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = rep2.call("customers", &[("view", "team")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = rep2.call("funnel", &[("scope", "company")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = rep2
        .call(
            "save_stage",
            &[
                ("id", ""),
                ("name", "x"),
                ("probability", "5"),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = rep2
        .call(
            "register_customer",
            &[("name", "接口公司"), ("phones", "13999999999")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["outcome"], "duplicate");
    assert!(
        r.body.get("id").is_none(),
        "nothing about the other customer: {}",
        r.body
    );
    let r = rep2
        .call("register_customer", &[("name", ""), ("phones", "1")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_field(), Some("name"));
    let mut rep1c = app.signed_in("rep1").await;
    let r = rep1c.call("customer", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["card"]["phones"][0], "13800000011");
    let r = rep1c.call("funnel", &[("scope", "mine")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["per_stage"][0], 1);
    assert_eq!(r.body["reliable"], false);
}

#[tokio::test]
async fn a_sweep_takes_every_overdue_customer_not_only_the_first_batch() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let admin = user(&app, "admin").await;
    let policy =
        app::funnel::config::parse_policy("15", "30", "1000", false, "3", "manager", "7", "", "30")
            .expect("policy");
    app::funnel::repo::save_policy(&app.state.db, &admin.id, None, Some(policy))
        .await
        .expect("save");
    // more than one batch (200) of overdue customers
    for i in 0..230 {
        locked(
            &app,
            &rep1,
            &format!("批量公司{i}"),
            &format!("1360000{i:04}"),
        )
        .await;
    }
    app.state.clock.advance(10 * DAY);
    let report = svc::sweep(&app.state).await.expect("sweep");
    assert_eq!(report.confiscated, 230);
    assert!(svc::list_customers(&app.state, &rep1, "mine")
        .await
        .expect("list")
        .is_empty());
}

#[tokio::test]
async fn funnel_settings_refuse_everyone_but_boss_and_admin() {
    let app = spawn_app().await;
    for login in ["rep1", "manager1"] {
        let mut c = app.signed_in(login).await;
        for (endpoint, form) in [
            ("save_qual_item", vec![("id", ""), ("label", "新标准")]),
            (
                "save_policy",
                vec![
                    ("department_id", ""),
                    ("followup_days", "1"),
                    ("no_deal_days", "1"),
                    ("max_owned", "1"),
                    ("warn_days", "0"),
                    ("destination", "pool"),
                    ("reclaim_days", "0"),
                ],
            ),
            ("policies", vec![]),
        ] {
            let r = c.call(endpoint, &form).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{login} {endpoint}: {}",
                r.body
            );
        }
    }
    // nothing changed: the company defaults are still the seed's
    let mut admin = app.signed_in("admin").await;
    let r = admin.call("policies", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body[0]["followup_days"], 15);
    assert_eq!(r.body[0]["destination"], "manager");
    let r = admin.call("qual_items", &[]).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(3));
}

/// After the win, serve: a won customer is never confiscated by its clocks;
/// its owner is reminded to revisit every `revisit_days`, the manager from the
/// third reminder without a visit on, and a visit starts the count again.
#[tokio::test]
async fn a_won_customer_is_reminded_to_revisit_never_confiscated() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let s = stages(&app).await;
    let id = locked(&app, &rep1, "成交服务公司", "13800000077").await;
    // 签订合同 (90 %): a skip with its reason
    svc::move_stage(&app.state, &rep1, &id, &s[5], vec![], "客户当场签约")
        .await
        .expect("won");
    let row = app::customers::repo::load(&app.state.db, &id)
        .await
        .expect("load")
        .expect("row");
    assert!(row.state.won);
    assert_eq!(row.state.due_clock.as_deref(), Some("revisit"));
    assert_eq!(
        row.state.warn_at, None,
        "no confiscation warning for a won customer"
    );
    let card = svc::detail(&app.state, &rep1, &id)
        .await
        .expect("detail")
        .card;
    let due = card.due.expect("a revisit date");
    assert_eq!((due.clock.as_str(), due.urgent), ("revisit", false));
    assert_eq!(due.days_left, 30, "the default interval");
    let kinds = |login: &'static str| {
        let app = &app;
        async move {
            let u = user(app, login).await;
            app::notifications::service::notifications(&app.state, &u)
                .await
                .expect("notifications")
                .into_iter()
                .map(|n| n.kind)
                .filter(|k| k.starts_with("revisit"))
                .collect::<Vec<_>>()
        }
    };
    // 20 days: past the 15-day follow-up clock; nothing happens
    app.state.clock.advance(20 * DAY);
    let r = svc::sweep(&app.state).await.expect("sweep");
    assert_eq!(r.confiscated, 0);
    assert_eq!(
        status_and_owner(&app, &id).await,
        (Status::Owned, Some(rep1.id.clone()))
    );
    assert!(kinds("rep1").await.is_empty());
    // day 31: the first reminder, to the rep only, once however often the sweep runs
    app.state.clock.advance(11 * DAY);
    svc::sweep(&app.state).await.expect("sweep");
    svc::sweep(&app.state).await.expect("again");
    assert_eq!(kinds("rep1").await, vec!["revisit_due"]);
    assert!(kinds("manager1").await.is_empty());
    // two more intervals without a visit: the third reminder reaches the manager
    app.state.clock.advance(30 * DAY);
    svc::sweep(&app.state).await.expect("sweep");
    assert!(kinds("manager1").await.is_empty(), "one miss is the rep's");
    app.state.clock.advance(30 * DAY);
    svc::sweep(&app.state).await.expect("sweep");
    assert_eq!(kinds("rep1").await.len(), 3);
    assert_eq!(kinds("manager1").await, vec!["revisit_missed"]);
    assert_eq!(
        status_and_owner(&app, &id).await,
        (Status::Owned, Some(rep1.id.clone()))
    );
    let history = actions(&app, &id).await;
    assert_eq!(
        history.iter().filter(|a| *a == "revisit_due").count(),
        3,
        "{history:?}"
    );
    assert!(!history.iter().any(|a| a == "confiscate"), "{history:?}");
    // a visit: the count starts again, the next revisit 30 days from it
    app::field::service::follow_up(&app.state, &rep1, &id, "", "回访：送去新样品", vec![])
        .await
        .expect("follow-up on a won customer");
    let card = svc::detail(&app.state, &rep1, &id)
        .await
        .expect("detail")
        .card;
    let due = card.due.expect("a revisit date");
    assert_eq!((due.days_left, due.missed), (30, 0));
    // the page keeps offering the visit and the revisit setting after the win
    let page = svc::detail(&app.state, &rep1, &id).await.expect("detail");
    assert!(page.allowed.follow_up);
}

/// The default clocks agree with the default stage limits: a deal that uses
/// every stage's allowed time reaches the won stage before the no-deal clock.
#[tokio::test]
async fn a_deal_using_its_stage_time_is_signed_before_the_no_deal_clock() {
    let app = spawn_app().await;
    let rep1 = user(&app, "rep1").await;
    let s = stages(&app).await;
    let info = app::funnel::repo::list_stages(&app.state.db, false)
        .await
        .expect("stages");
    let id = locked(&app, &rep1, "按期推进公司", "13800000078").await;
    for (i, stage) in info.iter().enumerate().take(5) {
        // the last day of the stage's limit (a visit each week keeps the follow-up clock)
        let days = i64::from(stage.max_days.expect("a limited stage before the win"));
        let mut left = days;
        while left > 0 {
            let step = left.min(7);
            app.state.clock.advance(step * DAY - 60);
            left -= step;
            app::field::service::follow_up(&app.state, &rep1, &id, "", "每周跟进", vec![])
                .await
                .expect("follow-up");
        }
        svc::sweep(&app.state).await.expect("sweep");
        assert_eq!(
            status_and_owner(&app, &id).await.0,
            Status::Owned,
            "confiscated in stage {i}"
        );
        svc::move_stage(
            &app.state,
            &rep1,
            &id,
            &s[i + 1],
            vec!["完成".into(); 4],
            "",
        )
        .await
        .expect("advance");
    }
    let row = app::customers::repo::load(&app.state.db, &id)
        .await
        .expect("load")
        .expect("row");
    assert!(row.state.won);
}

/// The policy page warns, with the numbers, when a department's no-deal clock
/// is shorter than its stage limits before the won stage; the defaults agree.
#[tokio::test]
async fn the_policy_page_warns_when_clocks_contradict_the_stage_limits() {
    use app::funnel::model::PolicyContradiction;
    let app = spawn_app().await;
    let admin = user(&app, "admin").await;
    let before = app::funnel::config::policies(&app.state)
        .await
        .expect("policies");
    assert!(
        before.iter().all(|p| p.contradictions.is_empty()),
        "{before:?}"
    );
    let policy =
        app::funnel::config::parse_policy("15", "20", "20", false, "3", "manager", "7", "", "45")
            .expect("policy");
    app::funnel::repo::save_policy(&app.state.db, &admin.id, None, Some(policy))
        .await
        .expect("save");
    let after = app::funnel::config::policies(&app.state)
        .await
        .expect("policies");
    // the company defaults and every department inheriting them
    assert!(!after.is_empty());
    for p in &after {
        assert_eq!(
            p.contradictions,
            vec![PolicyContradiction::NoDealBeforeWon {
                no_deal_days: 20,
                stage_days: 29
            }],
            "{:?}",
            p.department_name
        );
        assert_eq!(p.revisit_days, 45);
    }
}
