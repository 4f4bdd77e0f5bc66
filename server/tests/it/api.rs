//! HTTP-level tests of the foundation: login, sessions, roles, people admin.
//! Each test spawns its own app with a fresh in-memory database.

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};
use reqwest::StatusCode;

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = spawn_app().await;
    let (status, body) = app.client().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
}

#[tokio::test]
async fn login_with_right_password_starts_a_session() {
    let app = spawn_app().await;
    let mut c = app.client();
    let r = c
        .call("login", &[("login", "rep1"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = c
        .last_set_cookie
        .iter()
        .find(|c| c.starts_with("bpc_session="))
        .expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");

    let me = c.call("whoami", &[]).await;
    assert_eq!(me.body["login"], "rep1");
    assert_eq!(me.body["role"], "rep");
    assert_eq!(me.body["department_name"], "销售一部");
}

#[tokio::test]
async fn login_is_case_insensitive_on_the_login_name() {
    let app = spawn_app().await;
    let mut c = app.client();
    let r = c
        .call("login", &[("login", "  REP1 "), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let mut c = app.client();
    let wrong = c
        .call("login", &[("login", "rep1"), ("password", "nope12345")])
        .await;
    let unknown = c
        .call("login", &[("login", "ghost"), ("password", PASSWORD)])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.error_code(), Some("bad_credentials"));
    // and nobody is signed in
    assert_eq!(c.call("whoami", &[]).await.body, serde_json::Value::Null);
}

#[tokio::test]
async fn deactivated_user_cannot_log_in_and_loses_open_sessions() {
    let app = spawn_app().await;
    let mut rep = app.signed_in("rep2").await;
    let mut admin = app.signed_in("admin").await;
    let rep_id = app.user_id("rep2").await;

    let r = admin
        .call("set_user_active", &[("id", &rep_id), ("active", "false")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // the open session is gone at the next request
    assert_eq!(rep.call("whoami", &[]).await.body, serde_json::Value::Null);
    // and a new login is refused exactly like a wrong password
    let again = app
        .client()
        .call("login", &[("login", "rep2"), ("password", PASSWORD)])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.error_code(), Some("bad_credentials"));

    // reactivated, they are back (never deleted)
    let r = admin
        .call("set_user_active", &[("id", &rep_id), ("active", "true")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.signed_in("rep2").await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_account() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.login_max_per_account = 3;
    })
    .await;
    let mut c = app.client();
    for _ in 0..3 {
        let r = c
            .call("login", &[("login", "rep3"), ("password", "wrong1234")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    // even the right password is refused while the account is throttled
    let r = c
        .call("login", &[("login", "rep3"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error_kind(), Some("rate_limited"));
    // other accounts are not affected
    app.signed_in("rep4").await;
}

/// Two app servers on one database enforce one limit: alternating between them
/// gains a guesser nothing.
#[tokio::test]
async fn failed_logins_are_limited_across_app_servers() {
    let a = spawn_app_with(|s| {
        s.demo = true;
        s.login_max_per_account = 5;
    })
    .await;
    let b = crate::helpers::spawn_second(&a).await;
    let (mut on_a, mut on_b) = (a.client(), b.client());
    for i in 0..5 {
        let c = if i % 2 == 0 { &mut on_a } else { &mut on_b };
        let r = c
            .call("login", &[("login", "rep5"), ("password", "wrong1234")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "attempt {}", i + 1);
    }
    for c in [&mut on_a, &mut on_b] {
        let r = c
            .call("login", &[("login", "rep5"), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn failed_logins_are_limited_per_address() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.login_max_per_ip = 4;
    })
    .await;
    let mut c = app.client();
    for login in ["rep1", "rep2", "rep3", "rep4"] {
        let r = c
            .call("login", &[("login", login), ("password", "wrong1234")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = c
        .call("login", &[("login", "rep5"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn anonymous_callers_are_unauthorized() {
    let app = spawn_app().await;
    let mut c = app.client();
    for endpoint in ["users", "departments"] {
        let r = c.call(endpoint, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{endpoint}");
        assert_eq!(r.error_kind(), Some("unauthorized"));
    }
    let r = c
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "newpass123"),
                ("confirm", "newpass123"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reps_and_managers_are_refused_admin_functions() {
    let app = spawn_app().await;
    let rep1 = app.user_id("rep1").await;
    for login in ["rep1", "manager1"] {
        let mut c = app.signed_in(login).await;
        let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("users", vec![]),
            ("departments", vec![]),
            (
                "create_user",
                vec![
                    ("login", "sneaky"),
                    ("name", "X"),
                    ("role", "admin"),
                    ("department_id", "x"),
                    ("password", "abc12345"),
                ],
            ),
            (
                "update_user",
                vec![
                    ("id", &rep1),
                    ("name", "X"),
                    ("role", "admin"),
                    ("department_id", "x"),
                ],
            ),
            ("set_user_active", vec![("id", &rep1), ("active", "false")]),
            (
                "save_department",
                vec![
                    ("id", ""),
                    ("name", "Mine"),
                    ("parent_id", ""),
                    ("head_id", ""),
                ],
            ),
        ];
        for (endpoint, form) in calls {
            let r = c.call(endpoint, &form).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{login} → {endpoint}: {}",
                r.body
            );
            assert_eq!(r.error_kind(), Some("forbidden"));
        }
    }
    // nothing changed
    let mut admin = app.signed_in("admin").await;
    let users = admin.call("users", &[]).await;
    assert!(users
        .body
        .as_array()
        .expect("list")
        .iter()
        .all(|u| u["login"] != "sneaky"));
}

#[tokio::test]
async fn admin_creates_a_user_who_can_log_in() {
    let app = spawn_app().await;
    let mut admin = app.signed_in("admin").await;
    let depts = admin.call("departments", &[]).await;
    let dept = depts.body.as_array().expect("departments")[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = admin
        .call(
            "create_user",
            &[
                ("login", "Newbie"),
                ("name", "新同事"),
                ("role", "rep"),
                ("department_id", &dept),
                ("password", "start1234"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let mut c = app.client();
    let r = c
        .call("login", &[("login", "newbie"), ("password", "start1234")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(c.call("whoami", &[]).await.body["name"], "新同事");
}

#[tokio::test]
async fn duplicate_login_is_a_clear_conflict() {
    let app = spawn_app().await;
    let mut admin = app.signed_in("admin").await;
    let depts = admin.call("departments", &[]).await;
    let dept = depts.body[0]["id"].as_str().expect("id").to_string();
    let r = admin
        .call(
            "create_user",
            &[
                ("login", "REP1"),
                ("name", "Copy"),
                ("role", "rep"),
                ("department_id", &dept),
                ("password", "start1234"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.error_kind(), Some("conflict"));
    assert_eq!(r.error_code(), Some("login_taken"));
}

#[tokio::test]
async fn bad_user_input_names_the_field() {
    let app = spawn_app().await;
    let mut admin = app.signed_in("admin").await;
    let dept = admin.call("departments", &[]).await.body[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    type Form<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Form, &str, &str)> = vec![
        (
            vec![
                ("login", "ab"),
                ("name", "N"),
                ("role", "rep"),
                ("department_id", &dept),
                ("password", "start1234"),
            ],
            "login",
            "login_length",
        ),
        (
            vec![
                ("login", "okname"),
                ("name", " "),
                ("role", "rep"),
                ("department_id", &dept),
                ("password", "start1234"),
            ],
            "name",
            "required",
        ),
        (
            vec![
                ("login", "okname"),
                ("name", "N"),
                ("role", "king"),
                ("department_id", &dept),
                ("password", "start1234"),
            ],
            "role",
            "unknown_role",
        ),
        (
            vec![
                ("login", "okname"),
                ("name", "N"),
                ("role", "rep"),
                ("department_id", &dept),
                ("password", "short"),
            ],
            "password",
            "password_too_short",
        ),
        (
            vec![
                ("login", "okname"),
                ("name", "N"),
                ("role", "rep"),
                ("department_id", "nope"),
                ("password", "start1234"),
            ],
            "department_id",
            "not_found",
        ),
    ];
    for (form, field, code) in cases {
        let r = admin.call("create_user", &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert_eq!(
            (r.error_field(), r.error_code()),
            (Some(field), Some(code)),
            "{}",
            r.body
        );
    }
    // a body missing arguments is bad input too, not a server error
    let r = admin.call("create_user", &[("login", "x")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn only_admins_grant_admin() {
    let app = spawn_app().await;
    let mut boss = app.signed_in("boss").await;
    let rep1 = app.user_id("rep1").await;
    let dept = boss.call("departments", &[]).await.body[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = boss
        .call(
            "update_user",
            &[
                ("id", &rep1),
                ("name", "孙小伟"),
                ("role", "admin"),
                ("department_id", &dept),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some("only_admin_grants_admin"));
}

#[tokio::test]
async fn admin_cannot_deactivate_themself() {
    let app = spawn_app().await;
    let mut admin = app.signed_in("admin").await;
    let me = app.user_id("admin").await;
    let r = admin
        .call("set_user_active", &[("id", &me), ("active", "false")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some("cannot_deactivate_self"));
}

#[tokio::test]
async fn moving_a_user_to_another_department_is_audited() {
    let app = spawn_app().await;
    let mut admin = app.signed_in("admin").await;
    let depts = admin.call("departments", &[]).await.body;
    let sales2 = depts
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["name"] == "销售二部")
        .expect("sales 2")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let rep1 = app.user_id("rep1").await;
    let r = admin
        .call(
            "update_user",
            &[
                ("id", &rep1),
                ("name", "孙小伟"),
                ("role", "rep"),
                ("department_id", &sales2),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut moved = app.signed_in("rep1").await;
    assert_eq!(
        moved.call("whoami", &[]).await.body["department_name"],
        "销售二部"
    );

    let mut resp = app
        .state
        .db
        .query("SELECT VALUE detail.department FROM audit_log WHERE action = 'user.update' AND target = type::record('user', $id)")
        .bind(("id", rep1))
        .await
        .expect("audit query");
    let moves: Vec<String> = resp.take(0).expect("audit rows");
    assert_eq!(moves, vec![sales2]);
}

#[tokio::test]
async fn department_moves_that_would_create_a_cycle_are_refused() {
    let app = spawn_app().await;
    let mut admin = app.signed_in("admin").await;
    let depts = admin.call("departments", &[]).await.body;
    let by_name = |n: &str| {
        depts
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["name"] == n)
            .expect(n)["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    let company = by_name("演示公司");
    let sales1 = by_name("销售一部");
    let r = admin
        .call(
            "save_department",
            &[
                ("id", &company),
                ("name", "演示公司"),
                ("parent_id", &sales1),
                ("head_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        (r.error_field(), r.error_code()),
        (Some("parent_id"), Some("department_cycle"))
    );

    // a legal move: a new team under sales 1
    let r = admin
        .call(
            "save_department",
            &[
                ("id", ""),
                ("name", "华东组"),
                ("parent_id", &sales1),
                ("head_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = admin.call("departments", &[]).await.body;
    let team = list
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["name"] == "华东组")
        .expect("team");
    assert_eq!(team["parent_id"].as_str(), Some(sales1.as_str()));
}

#[tokio::test]
async fn user_changes_own_password() {
    let app = spawn_app().await;
    let mut c = app.signed_in("rep6").await;
    let r = c
        .call(
            "change_password",
            &[
                ("current", "wrong1234"),
                ("password", "fresh1234"),
                ("confirm", "fresh1234"),
            ],
        )
        .await;
    assert_eq!(r.error_code(), Some("wrong_password"));
    let r = c
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "fresh1234"),
                ("confirm", "fresh1235"),
            ],
        )
        .await;
    assert_eq!(r.error_code(), Some("password_mismatch"));
    let r = c
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "fresh1234"),
                ("confirm", "fresh1234"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .client()
        .call("login", &[("login", "rep6"), ("password", "fresh1234")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let mut c = app.signed_in("rep7").await;
    assert_eq!(c.call("whoami", &[]).await.body["login"], "rep7");
    c.call("logout", &[]).await;
    assert_eq!(c.call("whoami", &[]).await.body, serde_json::Value::Null);
}

#[tokio::test]
async fn first_start_without_demo_offers_a_one_time_setup() {
    let app = spawn_app_with(|s| s.demo = false).await;
    let mut c = app.client();
    assert_eq!(
        c.call("needs_setup", &[]).await.body,
        serde_json::Value::Bool(true)
    );
    let form = [
        ("company", "星辰贸易"),
        ("name", "林管理"),
        ("login", "lin"),
        ("password", "setup1234"),
        ("confirm", "setup1234"),
    ];
    let r = c.call("setup", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(c.call("whoami", &[]).await.body["role"], "admin");
    assert_eq!(
        c.call("needs_setup", &[]).await.body,
        serde_json::Value::Bool(false)
    );

    // a second setup is refused and changes nothing
    let mut other = app.client();
    let form = [
        ("company", "Evil"),
        ("name", "Eve"),
        ("login", "eve"),
        ("password", "setup1234"),
        ("confirm", "setup1234"),
    ];
    let r = other.call("setup", &form).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), Some("already_set_up"));
    let r = other
        .call("login", &[("login", "eve"), ("password", "setup1234")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn demo_data_loads_once() {
    let app = spawn_app().await;
    assert!(!server::demo::load_demo(&app.state.db)
        .await
        .expect("second load"));
    let mut admin = app.signed_in("admin").await;
    let users = admin.call("users", &[]).await.body;
    assert_eq!(
        users.as_array().expect("users").len(),
        server::demo::DEMO_PEOPLE.len()
    );
    let depts = admin.call("departments", &[]).await.body;
    let heads: Vec<_> = depts
        .as_array()
        .expect("d")
        .iter()
        .map(|d| d["head_name"].clone())
        .collect();
    assert!(
        heads.iter().all(|h| h.is_string()),
        "every demo department has a head: {heads:?}"
    );
}

#[tokio::test]
async fn pages_render_on_the_server() {
    let app = spawn_app().await;
    let c = app.client();
    let (status, html) = c.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("name=\"password\""),
        "login form is server-rendered"
    );
    assert!(
        html.contains("lang=\"zh-CN\""),
        "zh-CN is the default language"
    );
    // a protected page redirects visitors to the login page
    let (status, _) = c.get("/me").await;
    assert!(status.is_redirection(), "{status}");
    // the start page is the feed
    let (status, _) = c.get("/").await;
    assert!(status.is_redirection(), "{status}");
}
