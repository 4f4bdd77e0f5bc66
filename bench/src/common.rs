//! What every load generator starts from: the app as production builds it, and
//! a demo user.

/// The app with its real schema and the demo company, on `mem://` unless
/// `DATABASE_URL` says otherwise.
#[allow(dead_code)] // the search bench builds on a SurrealKV file of its own
pub async fn build() -> server::Application {
    let mut settings = server::settings::Settings::for_tests();
    if let Ok(url) = std::env::var("DATABASE_URL") {
        settings.database_url = url;
    }
    settings.demo = true;
    server::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"))
}

/// A demo user by login, as the services see them.
pub async fn user(state: &app::state::AppState, login: &str) -> app::auth::model::CurrentUser {
    let mut r = state
        .db
        .query("SELECT VALUE record::id(id) FROM user WHERE login = $l")
        .bind(("l", login.to_string()))
        .await
        .expect("query");
    let ids: Vec<String> = r.take(0).expect("ids");
    let id = ids.into_iter().next().expect("user");
    app::auth::repo::find_user(&state.db, &id)
        .await
        .expect("find")
        .expect("user")
        .0
}
