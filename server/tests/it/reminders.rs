//! Reminders against a real in-memory SurrealDB: a schedule item alerts once at
//! its time (notification + live alert), escalates once when unanswered, not when
//! acknowledged; revisits follow the last visit; anniversaries come 2 days ahead;
//! nobody acknowledges or sets someone else's.

use crate::helpers::{count, spawn_app, TestApp};
use app::auth::model::CurrentUser;
use app::reminders::channel::MemoryChannel;
use app::reminders::service::{self as svc, TickReport};
use chrono::{Duration, Utc};
use reqwest::StatusCode;

async fn user(app: &TestApp, login: &str) -> CurrentUser {
    app.user(login).await
}

/// Local date and time strings `mins` minutes from the app's now.
fn local_in(app: &TestApp, mins: i64) -> (String, String) {
    let t = (app.state.now() + Duration::minutes(mins)).with_timezone(&app.state.config.timezone);
    (
        t.format("%Y-%m-%d").to_string(),
        t.format("%H:%M").to_string(),
    )
}

#[tokio::test]
async fn a_schedule_item_alerts_once_and_escalates_once_when_unanswered() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let channel = MemoryChannel::default();
    let (d, t) = local_in(&app, 60);
    svc::add(&app.state, &rep, &d, &t, "给远景机械回电话", "确认样品")
        .await
        .unwrap();

    assert_eq!(
        svc::tick(&app.state, &channel).await.unwrap(),
        TickReport::default(),
        "not yet"
    );
    app.state.clock.advance(61 * 60);
    assert_eq!(svc::tick(&app.state, &channel).await.unwrap().alerted, 1);
    assert_eq!(
        svc::tick(&app.state, &channel).await.unwrap().alerted,
        0,
        "alerted once"
    );
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM notification WHERE kind = 'reminder')"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM stream WHERE kind = 'alert')"
        )
        .await,
        1
    );

    // nine minutes unanswered: not yet; eleven: escalated, once
    app.state.clock.advance(9 * 60);
    assert_eq!(svc::tick(&app.state, &channel).await.unwrap().escalated, 0);
    app.state.clock.advance(2 * 60);
    assert_eq!(svc::tick(&app.state, &channel).await.unwrap().escalated, 1);
    assert_eq!(svc::tick(&app.state, &channel).await.unwrap().escalated, 0);
    let sent = channel.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].login.as_str(), sent[0].title.as_str()),
        ("rep1", "给远景机械回电话")
    );
    let listed = svc::list(&app.state, &rep).await.unwrap();
    assert!(listed[0].alerted && listed[0].escalated && !listed[0].acked);
}

#[tokio::test]
async fn an_acknowledged_alert_does_not_escalate_and_only_its_owner_acknowledges() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let channel = MemoryChannel::default();
    let (d, t) = local_in(&app, 5);
    svc::add(&app.state, &rep, &d, &t, "拜访前准备资料", "")
        .await
        .unwrap();
    app.state.clock.advance(6 * 60);
    assert_eq!(svc::tick(&app.state, &channel).await.unwrap().alerted, 1);
    let id = svc::list(&app.state, &rep).await.unwrap()[0].id.clone();

    let mut other = app.signed_in("rep2").await;
    let r = other.call("ack_reminder", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "someone else's reminder");
    let mut c = app.signed_in("rep1").await;
    let r = c.call("ack_reminder", &[("id", &id)]).await;
    assert!(r.status.is_success(), "{}", r.body);

    app.state.clock.advance(30 * 60);
    assert_eq!(svc::tick(&app.state, &channel).await.unwrap().escalated, 0);
    assert!(channel.sent.lock().unwrap().is_empty());

    // bad input is named, nothing stored
    let before = count(&app, "RETURN count(SELECT id FROM reminder)").await;
    let (d, t) = local_in(&app, -120);
    for (date, time, title, field, code) in [
        (d.as_str(), t.as_str(), "过去的事", "time", "in_past"),
        (
            "2026-02-30",
            "10:00",
            "不存在的日子",
            "date",
            "date_invalid",
        ),
        (
            "2030-01-01",
            "25:00",
            "不存在的时刻",
            "time",
            "date_invalid",
        ),
        ("2030-01-01", "10:00", "  ", "title", "required"),
    ] {
        let r = c
            .call(
                "add_reminder",
                &[("date", date), ("time", time), ("title", title)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!((r.error_field(), r.error_code()), (Some(field), Some(code)));
    }
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM reminder)").await,
        before
    );
    let r = app.client().call("reminders", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn customer(
    app: &TestApp,
    who: &CurrentUser,
    name: &str,
    phone: &str,
    birthday: &str,
) -> String {
    let input = app::customers::model::CustomerInput {
        name: name.into(),
        phones: phone.into(),
        industry: "制造".into(),
        dm_birthday: birthday.into(),
        ..Default::default()
    };
    app.locked_customer(who, input).await
}

#[tokio::test]
async fn revisits_follow_the_last_visit_and_anniversaries_come_two_days_ahead() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let tz = app.state.config.timezone;
    // the decision maker's birthday is in five days (local)
    let birthday = (app.state.now() + Duration::days(5))
        .with_timezone(&tz)
        .format("1980-%m-%d")
        .to_string();
    let id = customer(&app, &rep, "温州正泰开关有限公司", "13800000011", &birthday).await;

    let mut c = app.signed_in("rep1").await;
    let r = c
        .call("set_revisit", &[("customer", &id), ("days", "7")])
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let revisit = |app: &TestApp| {
        let db = app.state.db.clone();
        let id = id.clone();
        async move {
            let mut r = db
                .query("SELECT VALUE remind_at FROM type::record('reminder', $rid)")
                .bind(("rid", format!("rv:{id}")))
                .await
                .expect("query");
            let v: Vec<chrono::DateTime<Utc>> = r.take(0).expect("at");
            v.into_iter().next()
        }
    };
    let first = revisit(&app).await.expect("scheduled");
    assert!(first > app.state.now() + Duration::days(6));

    // a follow-up two days later moves it two days on
    app.state.clock.advance(2 * 86_400);
    app::field::service::follow_up(&app.state, &rep, &id, "", "送了新报价", vec![])
        .await
        .unwrap();
    let moved = revisit(&app).await.expect("rescheduled");
    assert_eq!(moved - first, Duration::days(2));

    // not the owner: refused, nothing changes
    let mut other = app.signed_in("rep5").await;
    let r = other
        .call("set_revisit", &[("customer", &id), ("days", "1")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut m = app.signed_in("manager1").await;
    let r = m
        .call("set_revisit", &[("customer", &id), ("days", "1")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .call("set_revisit", &[("customer", &id), ("days", "400")])
        .await;
    assert_eq!(
        (r.error_field(), r.error_code()),
        (Some("days"), Some("number_range"))
    );
    assert_eq!(revisit(&app).await, Some(moved));

    // the birthday: three days from now minus two ahead → one reminder, created once
    assert_eq!(svc::schedule_anniversaries(&app.state).await.unwrap(), 1);
    assert_eq!(svc::schedule_anniversaries(&app.state).await.unwrap(), 0);
    let items = svc::list(&app.state, &rep).await.unwrap();
    let bd = items
        .iter()
        .find(|i| i.kind == "birthday")
        .expect("birthday reminder");
    let local = bd.at.with_timezone(&tz);
    let expect_day = (app.state.now() + Duration::days(1))
        .with_timezone(&tz)
        .date_naive();
    assert_eq!(
        local.date_naive(),
        expect_day,
        "two days before the birthday"
    );
    assert_eq!(local.format("%H:%M").to_string(), "09:00");

    // a contact met later has a birthday too: reminded once, with their name
    let contact_day = (app.state.now() + Duration::days(4))
        .with_timezone(&tz)
        .format("1975-%m-%d")
        .to_string();
    app::customers::service::add_contact(
        &app.state,
        &rep,
        &id,
        app::customers::edit::ContactInput {
            name: "周建国".into(),
            birthday: contact_day,
            ..Default::default()
        },
    )
    .await
    .expect("contact");
    assert_eq!(svc::schedule_anniversaries(&app.state).await.unwrap(), 1);
    assert_eq!(svc::schedule_anniversaries(&app.state).await.unwrap(), 0);
    let items = svc::list(&app.state, &rep).await.unwrap();
    assert!(
        items
            .iter()
            .any(|i| i.kind == "birthday" && i.title.contains("周建国")),
        "{items:?}"
    );
}
