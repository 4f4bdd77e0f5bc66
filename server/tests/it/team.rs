//! The team's memory and voice against a real in-memory SurrealDB: difficulty
//! alarms (visibility, answers, acceptance, lost through an alarm, escalation,
//! statistics), the experience pool's Chinese search, success stories, and the
//! suggestion box's anonymity, audited over the whole database and the log.

use crate::helpers::{at, spawn_app, spawn_app_with, TestApp};
use app::alarms::service as alarms;
use app::auth::model::CurrentUser;
use app::customers::model::{CustomerInput, Status};
use app::error::AppError;
use app::experience::repo::ExperienceIn;
use reqwest::StatusCode;
use serde_json::Value;

fn input(name: &str, phone: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        contact: "王建国".into(),
        address: "上海市浦东新区张江路 88 号".into(),
        industry: "制造".into(),
        region: "上海".into(),
        expected_amount: "10000".into(),
        ..Default::default()
    }
}

async fn customer_of(app: &TestApp, who: &CurrentUser, name: &str, phone: &str) -> String {
    app.locked_customer(who, input(name, phone)).await
}

#[tokio::test]
async fn colleagues_see_an_alarm_but_never_the_customers_contacts() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let id = customer_of(&app, &rep1, "上海东方精密机械有限公司", "13911112222").await;
    let alarm = alarms::raise(
        &app.state,
        &rep1,
        &id,
        "help",
        "客户说我们的价格太高了，怎么谈？",
        "",
    )
    .await
    .expect("raised");

    // rep5 is in the other department: sees the alarm, not the customer
    let mut rep5 = app.signed_in("rep5").await;
    let list = rep5.call("alarms", &[("filter", "open")]).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let text = list.body.to_string();
    assert!(text.contains("上海东方精密机械有限公司") && text.contains("制造"));
    let detail = rep5.call("alarm", &[("id", &alarm)]).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.body["customer_id"], Value::Null);
    let text = detail.body.to_string();
    for secret in ["13911112222", "王建国", "张江路"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(detail.body["may"]["answer"].as_bool().unwrap());
    assert!(!detail.body["may"]["accept"].as_bool().unwrap());
    assert!(!detail.body["may"]["close"].as_bool().unwrap());
    // and rep5 cannot open the customer itself
    let c = rep5.call("customer", &[("id", &id)]).await;
    assert_eq!(c.error_kind(), Some("not_found"));

    // the raiser's manager may open it and close the alarm
    let mut m1 = app.signed_in("manager1").await;
    let detail = m1.call("alarm", &[("id", &alarm)]).await;
    assert_eq!(detail.body["customer_id"], Value::String(id.clone()));
    assert!(detail.body["may"]["close"].as_bool().unwrap());

    // it is in everyone's feed, as a company-wide event that leads to the alarm
    let feed = rep5.call("feed", &[]).await;
    let items = feed.body["items"].as_array().expect("items");
    let item = items
        .iter()
        .find(|i| i["kind"] == "alarm_help")
        .expect("alarm in rep5's feed");
    assert_eq!(item["link"], Value::String(format!("/alarms/{alarm}")));
    assert_eq!(item["customer_id"], Value::Null);
}

#[tokio::test]
async fn an_accepted_answer_becomes_an_experience_entry_found_by_a_chinese_phrase() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let id = customer_of(&app, &rep1, "杭州西湖软件有限公司", "13922223333").await;
    let alarm = alarms::raise(
        &app.state,
        &rep1,
        &id,
        "help",
        "客户觉得我们的价格太高了，一直拖着不签",
        "",
    )
    .await
    .unwrap();
    // the raiser cannot answer their own alarm; a colleague can
    assert_eq!(
        alarms::answer(&app.state, &rep1, &alarm, "自问自答").await,
        Err(AppError::conflict("own_alarm"))
    );
    let answer = alarms::answer(
        &app.state,
        &rep2,
        &alarm,
        "拆分报价：先上基础版，按年付费，第二年再扩容",
    )
    .await
    .unwrap();
    // only the raiser accepts
    assert_eq!(
        alarms::accept(&app.state, &rep2, &alarm, &answer.id).await,
        Err(AppError::Forbidden)
    );
    alarms::accept(&app.state, &rep1, &alarm, &answer.id)
        .await
        .unwrap();
    let d = alarms::detail(&app.state, &rep1, &alarm).await.unwrap();
    assert_eq!(d.card.status, "resolved");
    assert!(d.answers[0].accepted);
    assert!(d.experience_id.is_some());
    // no more answers on a resolved alarm
    assert_eq!(
        alarms::answer(&app.state, &rep2, &alarm, "再补充一点").await,
        Err(AppError::conflict("alarm_closed"))
    );

    // unrelated entries around it, so BM25's IDF has something to weigh
    for (i, text) in [
        "价格谈不拢，客户要求再降五个点",
        "决策人出差，一个月见不到面",
        "竞争对手送了免费试用",
        "客户财务流程太长，合同卡在法务",
        "样品测试没通过，需要工程师上门",
        "老板换人了，新老板不认识我们",
        "客户嫌交货期太长",
        "展会上认识的客户，后续联系不上",
    ]
    .iter()
    .enumerate()
    {
        app::experience::repo::create(
            &app.state.db,
            app::experience::service::entry_in(ExperienceIn {
                source: "alarm".into(),
                title: text.to_string(),
                body: format!("经验 {i}"),
                stage_name: "初步接触".into(),
                industry: "软件".into(),
                customer_name: format!("客户{i}"),
                author_name: "测试".into(),
                ..Default::default()
            }),
            app.state.now(),
        )
        .await
        .unwrap();
    }
    let v = app::experience::service::search(&app.state, &rep2, "价格太高", "", "")
        .await
        .unwrap();
    let titles: Vec<String> = v
        .hits
        .iter()
        .map(|h| h.title.iter().map(|p| p.text.as_str()).collect())
        .collect();
    assert_eq!(
        titles[0], "客户觉得我们的价格太高了，一直拖着不签",
        "{titles:?}"
    );
    let only_price = titles
        .iter()
        .position(|t| t == "价格谈不拢，客户要求再降五个点")
        .expect("the entry with only 价格 is found too");
    assert!(only_price > 0);
    assert!(v.hits[0].score > v.hits[only_price].score);
    // the phrase is marked in the title
    let marked: String = v.hits[0]
        .title
        .iter()
        .filter(|p| p.hit)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, "价格太高");
    assert_eq!(v.hits[0].source, "alarm");
    assert_eq!(v.hits[0].helper_name.as_deref(), Some(rep2.name.as_str()));
    // filters
    let v = app::experience::service::search(&app.state, &rep2, "价格", "", "软件")
        .await
        .unwrap();
    assert!(v.hits.iter().all(|h| h.industry == "软件"));
    // while a rep types a similar problem, it is suggested
    let similar = app::experience::service::similar(&app.state, &rep2, "这个客户也说价格太高", 3)
        .await
        .unwrap();
    assert!(!similar.is_empty());
    assert_eq!(similar[0].alarm_id.as_deref(), Some(alarm.as_str()));
    // English words are whole words
    let v = app::experience::service::search(&app.state, &rep2, "ERP", "", "")
        .await
        .unwrap();
    assert!(v.hits.is_empty());
}

fn entry(title: &str, industry: &str) -> ExperienceIn {
    app::experience::service::entry_in(ExperienceIn {
        source: "won".into(),
        title: title.into(),
        body: "经验".into(),
        stage_name: "初步接触".into(),
        industry: industry.into(),
        customer_name: "客户".into(),
        author_name: "测试".into(),
        ..Default::default()
    })
}

async fn titles(app: &TestApp, who: &CurrentUser, q: &str, industry: &str) -> Vec<String> {
    app::experience::service::search(&app.state, who, q, "", industry)
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.title.iter().map(|p| p.text.as_str()).collect())
        .collect()
}

#[tokio::test]
async fn a_common_word_ranks_by_weight_and_filters_reach_past_the_first_page() {
    let app = spawn_app().await;
    let rep2 = app.user("rep2").await;
    // 400 entries say 价格 once in a long text; one says it three times, short;
    // the only 医疗 entry is the weakest match of all
    let filler = "客户还在比较几家供应商的方案和服务，需要我们再准备资料。".repeat(3);
    let mut rows = Vec::new();
    for i in 0..400 {
        rows.push(entry(&format!("{filler}价格{i}"), "软件"));
    }
    rows.push(entry("价格价格价格", "软件"));
    rows.push(entry(&format!("{filler}{filler}价格"), "医疗"));
    app.state
        .db
        .query(format!(
            "FOR $exp IN $rows {{ {} }}",
            app::experience::repo::CREATE_ENTRY
        ))
        .bind(("rows", rows))
        .bind(("now", app.state.now()))
        .await
        .and_then(|r| r.check())
        .unwrap();
    let all = titles(&app, &rep2, "价格", "").await;
    assert_eq!(all.len(), app::experience::service::PAGE);
    assert_eq!(all[0], "价格价格价格");
    let medical = titles(&app, &rep2, "价格", "医疗").await;
    assert_eq!(medical.len(), 1);
    assert!(medical[0].starts_with(&filler));
}

#[tokio::test]
async fn another_app_server_finds_every_entry_another_one_wrote() {
    let app = spawn_app().await;
    let rep2 = app.user("rep2").await;
    for (title, industry) in [("客户觉得价格太高", "软件"), ("决策人出差", "制造")]
    {
        app::experience::repo::create(&app.state.db, entry(title, industry), app.state.now())
            .await
            .unwrap();
    }
    assert_eq!(
        titles(&app, &rep2, "价格太高", "").await,
        ["客户觉得价格太高"]
    );
    // a second app server on the same database starts with an empty index
    let b = app
        .state
        .with_fresh::<app::experience::service::SearchIndex>();
    let search_b = |q: &'static str, industry: &'static str| {
        let (b, rep2) = (b.clone(), rep2.clone());
        async move {
            app::experience::service::search(&b, &rep2, q, "", industry)
                .await
                .unwrap()
                .hits
                .iter()
                .map(|h| h.title.iter().map(|p| p.text.as_str()).collect::<String>())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search_b("决策人", "制造").await, ["决策人出差"]);
    assert!(search_b("决策人", "软件").await.is_empty());
    // written through the first, found by the second at once, and the other way
    app::experience::repo::create(&app.state.db, entry("交货期太长", "制造"), app.state.now())
        .await
        .unwrap();
    assert_eq!(search_b("交货期", "").await, ["交货期太长"]);
    app::experience::repo::create(&b.db, entry("预算不够", "制造"), b.now())
        .await
        .unwrap();
    assert_eq!(titles(&app, &rep2, "预算", "").await, ["预算不够"]);
    // an entry that committed late, stamped long before the newest one held
    app.state
        .db
        .query(format!(
            "LET $now = $then; {}",
            app::experience::repo::CREATE_ENTRY
        ))
        .bind(("exp", entry("样品测试没通过", "制造")))
        .bind(("then", app.state.now() - chrono::TimeDelta::days(2)))
        .await
        .and_then(|r| r.check())
        .unwrap();
    assert_eq!(search_b("样品", "").await, ["样品测试没通过"]);
}

#[tokio::test]
async fn a_pool_from_schema_8_is_counted_once_at_the_upgrade() {
    let app = spawn_app().await;
    let rep2 = app.user("rep2").await;
    for title in ["客户觉得价格太高", "决策人出差"] {
        app::experience::repo::create(&app.state.db, entry(title, "软件"), app.state.now())
            .await
            .unwrap();
    }
    // as schema 8 left it: no count
    app.state
        .db
        .query("DELETE exp_count; UPSERT meta:schema SET version = 8;")
        .await
        .and_then(|r| r.check())
        .unwrap();
    for _ in 0..2 {
        server::db::apply_schema(&app.state.db)
            .await
            .expect("schema");
    }
    assert_eq!(
        app::experience::repo::count(&app.state.db).await.unwrap(),
        2
    );
    let fresh = app
        .state
        .with_fresh::<app::experience::service::SearchIndex>();
    let v = app::experience::service::search(&fresh, &rep2, "决策人", "", "")
        .await
        .unwrap();
    assert_eq!(v.hits.len(), 1);
}

#[tokio::test]
async fn lost_goes_through_an_alarm_and_the_manager_decides() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let m1 = app.user("manager1").await;
    let m2 = app.user("manager2").await;
    let id = customer_of(&app, &rep1, "苏州工业园区光电有限公司", "13933334444").await;

    // a post-mortem says why and what would have helped
    assert_eq!(
        alarms::raise(&app.state, &rep1, &id, "lost", "太短", "x").await,
        Err(AppError::validation("text", "post_mortem_short"))
    );
    assert_eq!(
        alarms::raise(
            &app.state,
            &rep1,
            &id,
            "lost",
            "客户被竞争对手低价抢走了，我们报价晚了一周",
            ""
        )
        .await,
        Err(AppError::validation("lesson", "required"))
    );
    // only the owner raises on a customer
    assert!(
        alarms::raise(&app.state, &rep2, &id, "help", "我来帮忙", "")
            .await
            .is_err()
    );

    let alarm = alarms::raise(
        &app.state,
        &rep1,
        &id,
        "lost",
        "客户被竞争对手低价抢走了，我们报价晚了一周",
        "报价要在拜访后 48 小时内发出",
    )
    .await
    .unwrap();
    // one pending proposal at a time
    assert_eq!(
        alarms::raise(
            &app.state,
            &rep1,
            &id,
            "lost",
            "再来一次丢单剖析说明",
            "同上"
        )
        .await,
        Err(AppError::conflict("lost_pending"))
    );
    let c = app::customer_file::service::detail(&app.state, &rep1, &id)
        .await
        .unwrap();
    assert!(c.lost_proposal.is_some());
    assert_eq!(c.open_alarms.len(), 1);

    // reject: the alarm stays open for answers, the customer stays with the rep
    assert_eq!(
        alarms::decide_lost(&app.state, &rep1, &alarm, false).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        alarms::decide_lost(&app.state, &m2, &alarm, false).await,
        Err(AppError::Forbidden),
        "another department's manager"
    );
    alarms::decide_lost(&app.state, &m1, &alarm, false)
        .await
        .unwrap();
    let d = alarms::detail(&app.state, &rep2, &alarm).await.unwrap();
    assert_eq!(
        (d.card.status.as_str(), d.card.lost_state.as_deref()),
        ("open", Some("rejected"))
    );
    assert!(d.may.answer);
    let c = app::customers::service::detail(&app.state, &rep1, &id)
        .await
        .unwrap();
    assert_eq!(c.card.status, Status::Owned);
    assert!(c.lost_proposal.is_none());

    // proposed again and approved: the customer leaves the rep as lost, history kept
    let alarm2 = alarms::raise(
        &app.state,
        &rep1,
        &id,
        "lost",
        "第二次尝试也失败：对方已经签了三年合同",
        "早点摸清客户的合同到期时间",
    )
    .await
    .unwrap();
    alarms::decide_lost(&app.state, &m1, &alarm2, true)
        .await
        .unwrap();
    let d = alarms::detail(&app.state, &m1, &alarm2).await.unwrap();
    assert_eq!(d.card.status, "lost");
    assert!(d.experience_id.is_some());
    let c = app::customers::service::detail(&app.state, &m1, &id)
        .await
        .unwrap();
    assert_eq!(c.card.status, Status::Lost);
    assert_eq!(c.card.owner_name, None);
    let actions: Vec<&str> = c.history.iter().map(|h| h.action.as_str()).collect();
    for a in ["lost_proposed", "lost_rejected", "lost"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    // the post-mortem is in the pool
    let v = app::experience::service::search(&app.state, &rep2, "合同到期", "", "")
        .await
        .unwrap();
    assert_eq!(v.hits[0].source, "lost");
    // a decided alarm is not decided again
    assert_eq!(
        alarms::decide_lost(&app.state, &m1, &alarm2, true).await,
        Err(AppError::conflict("alarm_closed"))
    );
}

#[tokio::test]
async fn unanswered_alarms_escalate_to_the_manager_then_the_boss() {
    let app = spawn_app().await;
    // Monday 30 Nov 2026, 09:55 in Shanghai: 4 working hours → 13:55, 8 →
    // 17:55. (Raised at 10:00, the alarm was due at 18:00 to the second, and
    // the milliseconds the test took to raise it pushed the second step past
    // closing, to Tuesday morning; whether it did depended on the real date,
    // through the clock's rounding to whole seconds.)
    app.state.clock.set(Some(at("2026-11-30T01:55:00Z")));
    let rep1 = app.user("rep1").await;
    let rep5 = app.user("rep5").await;
    let id = customer_of(&app, &rep1, "宁波港口物流有限公司", "13944445555").await;
    let other = customer_of(&app, &rep1, "无锡新材料科技有限公司", "13944446666").await;
    let waiting = alarms::raise(&app.state, &rep1, &id, "help", "客户不回电话", "")
        .await
        .unwrap();
    let answered = alarms::raise(&app.state, &rep1, &other, "help", "客户要求先打样", "")
        .await
        .unwrap();
    alarms::answer(&app.state, &rep5, &answered, "先做小样，收打样费")
        .await
        .unwrap();

    let notes = |login: &'static str| {
        let app = &app;
        async move {
            let u = app.user(login).await;
            app::notifications::service::notifications(&app.state, &u)
                .await
                .unwrap()
                .into_iter()
                .filter(|n| n.kind == "alarm_escalated")
                .count()
        }
    };
    app.state.clock.set(Some(at("2026-11-30T05:50:00Z")));
    assert_eq!(alarms::escalate(&app.state).await.unwrap().escalated, 0);
    app.state.clock.set(Some(at("2026-11-30T06:10:00Z")));
    assert_eq!(alarms::escalate(&app.state).await.unwrap().escalated, 1);
    assert_eq!(notes("manager1").await, 1);
    assert_eq!(notes("boss").await, 0);
    // run twice: nothing more until the next step is due
    assert_eq!(alarms::escalate(&app.state).await.unwrap().escalated, 0);
    app.state.clock.set(Some(at("2026-11-30T10:10:00Z")));
    assert_eq!(alarms::escalate(&app.state).await.unwrap().escalated, 1);
    assert_eq!(notes("boss").await, 1);
    app.state.clock.set(Some(at("2026-12-30T10:10:00Z")));
    assert_eq!(alarms::escalate(&app.state).await.unwrap().escalated, 0);
    let d = alarms::detail(&app.state, &rep1, &waiting).await.unwrap();
    assert_eq!(d.card.escalated, 2);
    let d = alarms::detail(&app.state, &rep1, &answered).await.unwrap();
    assert_eq!(d.card.escalated, 0);
    app.state.clock.set(None);
}

#[tokio::test]
async fn statistics_show_each_role_its_rows() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let m1 = app.user("manager1").await;
    let id = customer_of(&app, &rep1, "合肥家电配件有限公司", "13955556666").await;
    let alarm = alarms::raise(&app.state, &rep1, &id, "help", "客户要月结九十天", "")
        .await
        .unwrap();
    let a = alarms::answer(&app.state, &m1, &alarm, "最多六十天，配合预付款")
        .await
        .unwrap();
    alarms::accept(&app.state, &rep1, &alarm, &a.id)
        .await
        .unwrap();

    let boss = app.user("boss").await;
    let v = alarms::stats(&app.state, &boss, "month").await.unwrap();
    assert!(v.rows.iter().all(|r| r.role == "manager"));
    assert_eq!(v.rows.len(), 2);
    let row = v.rows.iter().find(|r| r.user_id == m1.id).unwrap();
    assert_eq!((row.supported, row.resolved), (1, 1));
    assert_eq!(row.support_rate, Some(1.0));
    assert!(row.median_first_answer_minutes.is_some());

    let v = alarms::stats(&app.state, &m1, "week").await.unwrap();
    assert!(v.rows.iter().any(|r| r.user_id == rep1.id && r.raised == 1));
    assert!(v
        .rows
        .iter()
        .all(|r| r.department_name == m1.department_name));

    let v = alarms::stats(&app.state, &rep1, "quarter").await.unwrap();
    assert_eq!(v.rows.len(), 1);
    assert_eq!(v.rows[0].user_id, rep1.id);
    assert_eq!(
        alarms::stats(&app.state, &rep1, "decade").await.map(|_| ()),
        Err(AppError::validation("period", "unknown_period"))
    );
}

#[tokio::test]
async fn a_win_asks_for_a_story_once() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let id = customer_of(&app, &rep1, "南京智能仓储有限公司", "13966667777").await;
    let stages = app::funnel::repo::list_stages(&app.state.db, false)
        .await
        .unwrap();
    let won = stages
        .iter()
        .filter(|s| s.active)
        .find(|s| s.probability >= 100)
        .expect("a won stage");
    app::customers::service::move_stage(&app.state, &rep1, &id, &won.id, vec![], "直接签约")
        .await
        .unwrap();
    let prompts = alarms::story_prompts(&app.state, &rep1).await.unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].customer_id, id);
    // someone else cannot write it
    let rep2 = app.user("rep2").await;
    assert_eq!(
        alarms::write_story(&app.state, &rep2, &id, "抢功", false).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        alarms::write_story(&app.state, &rep1, &id, "  ", false).await,
        Err(AppError::validation("text", "required"))
    );
    alarms::write_story(
        &app.state,
        &rep1,
        &id,
        "第三次拜访带了技术总监，现场解决了对接问题",
        false,
    )
    .await
    .unwrap();
    assert!(alarms::story_prompts(&app.state, &rep1)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        alarms::write_story(&app.state, &rep1, &id, "再写一次", false).await,
        Err(AppError::conflict("story_closed"))
    );
    let v = app::experience::service::search(&app.state, &rep2, "技术总监", "", "")
        .await
        .unwrap();
    assert_eq!(v.hits[0].source, "won");
}

#[tokio::test]
async fn every_team_endpoint_refuses_strangers_and_checks_roles() {
    let app = spawn_app().await;
    let mut anon = app.client();
    for (endpoint, form) in [
        ("alarms", vec![]),
        (
            "alarm",
            vec![("id", "0190d8a0-0000-7000-8000-000000000000")],
        ),
        ("raise_targets", vec![]),
        (
            "raise_alarm",
            vec![("customer", "x"), ("kind", "help"), ("text", "t")],
        ),
        ("answer_alarm", vec![("alarm", "x"), ("text", "t")]),
        ("like_answer", vec![("answer", "x")]),
        ("accept_answer", vec![("alarm", "x"), ("answer", "y")]),
        ("close_alarm", vec![("alarm", "x"), ("note", "n")]),
        (
            "decide_lost_alarm",
            vec![("alarm", "x"), ("decision", "approve")],
        ),
        ("alarm_stats", vec![]),
        ("story_prompts", vec![]),
        ("write_story", vec![("customer", "x"), ("text", "t")]),
        ("search_experience", vec![("q", "价格")]),
        ("similar_experience", vec![("text", "价格")]),
        ("experience_entry", vec![("id", "x")]),
        ("suggestions", vec![]),
        ("post_suggestion", vec![("text", "匿名")]),
        (
            "reply_suggestion",
            vec![("id", "x"), ("text", "t"), ("status", "done")],
        ),
    ] {
        let r = anon.call(endpoint, &form).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{endpoint}: {}", r.body);
    }
    assert_eq!(
        app.state
            .db
            .query("RETURN count(SELECT id FROM suggestion)")
            .await
            .unwrap()
            .take::<Option<i64>>(0)
            .unwrap(),
        Some(0)
    );

    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let m2 = app.user("manager2").await;
    let id = customer_of(&app, &rep1, "青岛海洋食品有限公司", "13977778888").await;
    let alarm = alarms::raise(&app.state, &rep1, &id, "help", "冷链运输成本太高", "")
        .await
        .unwrap();
    // closing is for the raiser's managers only
    for who in [&rep1, &rep2, &m2] {
        assert_eq!(
            alarms::close(&app.state, who, &alarm, "关掉").await,
            Err(AppError::Forbidden),
            "{}",
            who.login
        );
    }
    // unknown or malformed ids are not found
    for bad in [
        "",
        "nope",
        "0190d8a0-0000-7000-8000-000000000000",
        "../../x",
    ] {
        assert_eq!(
            alarms::detail(&app.state, &rep2, bad).await.map(|_| ()),
            Err(AppError::NotFound)
        );
    }
    // a rep does not reply to suggestions
    let mut r2 = app.signed_in("rep2").await;
    let r = r2
        .call(
            "reply_suggestion",
            &[("id", "abc"), ("text", "t"), ("status", "done")],
        )
        .await;
    assert_eq!(r.error_kind(), Some("forbidden"));
    let r = r2
        .call(
            "raise_alarm",
            &[("customer", &id), ("kind", "help"), ("text", "帮他报警")],
        )
        .await;
    assert_eq!(r.error_kind(), Some("not_found"));
    let r = r2.call("alarms", &[("filter", "everything")]).await;
    assert_eq!(r.error_code(), Some("unknown_filter"));
}

// ---------------------------------------------------------------------------
// The suggestion box's anonymity

/// Every record of every table, as JSON text, by table.
async fn export(app: &TestApp) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut resp = app
        .state
        .db
        .query("RETURN object::keys((INFO FOR DB).tables)")
        .await
        .unwrap();
    let tables: Vec<String> = resp.take(0).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for t in tables {
        let mut resp = app
            .state
            .db
            .query("SELECT * FROM type::table($t)")
            .bind(("t", t.clone()))
            .await
            .unwrap();
        let rows: Vec<surrealdb::types::Value> = resp.take(0).unwrap();
        let mut rows: Vec<String> = rows
            .into_iter()
            .map(|v| v.into_json_value().to_string())
            .collect();
        rows.sort();
        out.insert(t, rows);
    }
    out
}

/// Records in `after` that are not in `before` (created or changed), with
/// the session table compared without its expiry (the one change any request makes).
fn changed(
    before: &std::collections::BTreeMap<String, Vec<String>>,
    after: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<(String, String)> {
    let strip = |t: &str, r: &str| -> String {
        if t == "session" {
            let mut v: Value = serde_json::from_str(r).unwrap();
            v.as_object_mut().unwrap().remove("expiry_date");
            v.to_string()
        } else {
            r.to_string()
        }
    };
    let mut out = Vec::new();
    for (t, rows) in after {
        let old: Vec<String> = before
            .get(t)
            .map(|v| v.iter().map(|r| strip(t, r)).collect())
            .unwrap_or_default();
        for r in rows {
            let r = strip(t, r);
            if !old.contains(&r) {
                out.push((t.clone(), r));
            }
        }
    }
    out
}

/// Which of `needles` occur in any of `haystacks`.
fn found<'a>(haystacks: &[String], needles: &[&'a str]) -> Vec<&'a str> {
    needles
        .iter()
        .copied()
        .filter(|n| haystacks.iter().any(|h| h.contains(n)))
        .collect()
}

#[derive(Clone, Default)]
struct LogBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_suggestion_leaves_no_trace_of_its_author() {
    let logs = LogBuf::default();
    let writer = logs.clone();
    // more than production logs (info): every request line and our debug output
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,surrealdb=warn,surrealkv=warn,hyper=info,reqwest=info",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = spawn_app().await;
    let rep3 = app.user("rep3").await;
    let mut client = app.signed_in("rep3").await;
    let cookie = client.cookie().expect("session cookie");
    let session_id = cookie.split_once('=').map(|(_, v)| v.to_string()).unwrap();
    let identifiers = [
        rep3.id.as_str(),
        rep3.login.as_str(),
        rep3.name.as_str(),
        session_id.as_str(),
        "127.0.0.1",
    ];

    let before = export(&app).await;
    logs.0.lock().unwrap().clear();
    let r = client
        .call(
            "post_suggestion",
            &[("text", "建议每周五下午不开会，留给大家跑客户")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let log_lines = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let after = export(&app).await;

    let diff = changed(&before, &after);
    let records: Vec<String> = diff.iter().map(|(_, r)| r.clone()).collect();
    // the post is there, and it is all there is
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0].0, "suggestion");
    assert!(records[0].contains("建议每周五下午不开会"));
    assert!(!log_lines.is_empty(), "the request was logged somewhere");
    if std::env::var("BPC_SHOW_LOG").is_ok() {
        eprintln!("{log_lines}");
    }
    assert_eq!(
        found(&records, &identifiers),
        Vec::<&str>::new(),
        "in {records:?}"
    );
    assert_eq!(
        found(std::slice::from_ref(&log_lines), &identifiers),
        Vec::<&str>::new(),
        "in the log:\n{log_lines}"
    );
    // the only time kept is the date; the id carries no time (UUIDv4)
    let rec: Value = serde_json::from_str(&records[0]).unwrap();
    let keys: Vec<&str> = rec
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    for k in ["id", "text", "day", "released", "shuffle", "status"] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    let day = rec["day"].as_str().unwrap();
    assert_eq!(day.len(), 10, "a date, not a time: {day}");

    // not visible until the batch is released, then visible with no author
    let v = client.call("suggestions", &[]).await;
    assert_eq!(v.body["items"].as_array().unwrap().len(), 0);
    // no count of waiting posts: a count that moves would date the post
    assert!(v.body.get("waiting").is_none(), "{}", v.body);
    app::suggestions::service::release(&app.state)
        .await
        .unwrap();
    let mut boss = app.signed_in("boss").await;
    let v = boss.call("suggestions", &[]).await;
    let items = v.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let shown = v.body.to_string();
    assert_eq!(found(&[shown], &identifiers), Vec::<&str>::new());
    // management replies publicly and sets a status
    let sid = items[0]["id"].as_str().unwrap().to_string();
    let r = boss
        .call(
            "reply_suggestion",
            &[
                ("id", &sid),
                ("text", "同意，从下周开始"),
                ("status", "in_progress"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = client.call("suggestions", &[]).await;
    assert_eq!(v.body["items"][0]["status"], "in_progress");
    assert_eq!(v.body["items"][0]["replies"][0]["text"], "同意，从下周开始");

    // The audit can fail: had the author's login been stored with the post, it
    // would be caught in the changed records.
    let before = export(&app).await;
    app.state
        .db
        .query("UPDATE type::record('suggestion', $id) SET text = text + ' —' + $who")
        .bind(("id", sid))
        .bind(("who", rep3.login.clone()))
        .await
        .unwrap();
    let after = export(&app).await;
    let records: Vec<String> = changed(&before, &after)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(found(&records, &identifiers), vec![rep3.login.as_str()]);
}

#[tokio::test]
async fn nothing_anyone_can_read_moves_when_a_suggestion_is_posted() {
    // Security review M1: the boss saw "0 → 1 waiting" ten milliseconds after
    // rep3 posted. The page and the metrics must read the same before and after.
    let app = spawn_app_with(|s| s.metrics_token = Some("scrape".into())).await;
    // mid-hour, so the batch cannot turn between the two reads
    app.state.clock.set(Some(at("2026-11-30T02:20:00Z")));
    let mut boss = app.signed_in("boss").await;
    let mut rep3 = app.signed_in("rep3").await;
    let metrics = || async {
        let r = reqwest::Client::new()
            .get(format!("{}/metrics", app.base))
            .bearer_auth("scrape")
            .send()
            .await
            .unwrap();
        r.text().await.unwrap()
    };
    let page_before = boss.call("suggestions", &[]).await.body;
    let r = rep3
        .call("post_suggestion", &[("text", "食堂晚饭能不能晚半小时")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(boss.call("suggestions", &[]).await.body, page_before);
    let scraped = metrics().await;
    assert!(!scraped.contains("post_suggestion"), "{scraped}");
    // flood control: five posts a batch per person, others unaffected
    for i in 1..5 {
        let r = rep3
            .call("post_suggestion", &[("text", &format!("再提一条 {i}"))])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{i}: {}", r.body);
    }
    let r = rep3.call("post_suggestion", &[("text", "第六条")]).await;
    assert_eq!(r.error_code(), Some("too_many_posts"), "{}", r.body);
    let r = boss
        .call("post_suggestion", &[("text", "老板也可以匿名提")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // the next batch forgets the counts
    app.state.clock.advance(3600);
    let r = rep3
        .call("post_suggestion", &[("text", "下一批的第一条")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.state.clock.set(None);
}

#[tokio::test]
async fn suggestions_are_released_together_in_a_shuffled_order() {
    let app = spawn_app().await;
    let mut posters = Vec::new();
    for login in ["rep1", "rep2", "rep5", "manager1"] {
        posters.push(app.signed_in(login).await);
    }
    for (i, c) in posters.iter_mut().enumerate() {
        let r = c
            .call("post_suggestion", &[("text", &format!("第 {i} 条建议"))])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        // the answer says when it appears: the next full hour
        assert!(r.body.as_str().unwrap().ends_with(":00"), "{}", r.body);
    }
    assert_eq!(
        app::suggestions::service::release(&app.state)
            .await
            .unwrap(),
        4
    );
    let v = posters[0].call("suggestions", &[]).await;
    let order: Vec<String> = v.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order.len(), 4);
    // the order is the stored random one, not the order of posting (which a
    // 1-in-24 chance would repeat; the shuffle keys decide, checked directly)
    let mut resp = app
        .state
        .db
        .query("SELECT VALUE text FROM suggestion ORDER BY day DESC, shuffle")
        .await
        .unwrap();
    let by_shuffle: Vec<String> = resp.take(0).unwrap();
    assert_eq!(order, by_shuffle);
}

#[tokio::test]
async fn the_raiser_adds_photos_over_multipart_and_nobody_else_does() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let id = customer_of(&app, &rep1, "常州电机配件有限公司", "13988889999").await;
    let alarm = alarms::raise(&app.state, &rep1, &id, "help", "客户拿出竞品报价单压价", "")
        .await
        .unwrap();
    let png = || {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    let form = |alarm: &str| {
        reqwest::multipart::Form::new()
            .text("alarm", alarm.to_string())
            .part(
                "photos",
                reqwest::multipart::Part::bytes(png()).file_name("quote.png"),
            )
    };
    let r = app.client().multipart("alarm_photos", form(&alarm)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let mut rep2 = app.signed_in("rep2").await;
    let r = rep2.multipart("alarm_photos", form(&alarm)).await;
    assert_eq!(r.error_kind(), Some("forbidden"), "{}", r.body);
    let mut c = app.signed_in("rep1").await;
    let r = c.multipart("alarm_photos", form(&alarm)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = alarms::detail(&app.state, &rep1, &alarm).await.unwrap();
    assert_eq!(d.photos.len(), 1);
    // not multipart: refused before the decoder, signed in or not
    let r = c
        .raw(
            reqwest::Method::POST,
            "/api/alarm_photos",
            Some(b"application/json"),
            b"{}".to_vec(),
        )
        .await
        .expect("an answer");
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some("content_type"));
}
