//! Backup and restore: the whole database written by SurrealDB's export and
//! loaded into a fresh one finds every customer, history row, check-in and photo
//! reference, and the day sums as they were (table events do not run again).

use crate::helpers::spawn_app;
use app::customers::model::CustomerInput;
use server::backup;

fn temp_file(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!("bpc-{}-{nanos}-{name}", std::process::id()))
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([20, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Every table's rows, as sorted JSON text (ids included).
async fn dump(db: &app::db::Db, tables: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tables {
        let mut r = db
            .query(format!("SELECT * FROM `{t}` ORDER BY id"))
            .await
            .expect("select");
        let rows: Vec<serde_json::Value> = r.take(0).expect("rows");
        out.push(format!("{t}: {}", serde_json::to_string(&rows).unwrap()));
    }
    out
}

#[tokio::test]
async fn a_backup_restored_into_a_fresh_database_has_everything() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let manager1 = app.user("manager1").await;
    let id = app
        .locked_customer(
            &rep1,
            CustomerInput {
                name: "上海备份恢复机械有限公司".into(),
                phones: "13811112222".into(),
                ..Default::default()
            },
        )
        .await;
    let stages = app::funnel::repo::list_stages(&app.state.db, false)
        .await
        .unwrap();
    app::customers::service::move_stage(
        &app.state,
        &rep1,
        &id,
        &stages[1].id,
        vec!["有兴趣".into(); 6],
        "",
    )
    .await
    .expect("advance");
    app::field::service::check_in(
        &app.state,
        &rep1,
        app::field::service::CheckinForm {
            key: "backup-visit-1".into(),
            customer: id.clone(),
            lat: "31.19".into(),
            lng: "121.43".into(),
            accuracy: "20".into(),
            purpose: "送样".into(),
            ..Default::default()
        },
        vec![png().into()],
    )
    .await
    .expect("check-in with a photo");
    customers_view(&app, &manager1, &id).await;
    let before = app.row_counts().await;
    assert!(before["customer"] > 0 && before["customer_history"] > 0);

    // someone is signed in while the backup is taken
    let signed_in = app.signed_in("manager1").await;
    let session_id = signed_in
        .cookie()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let file = temp_file("backup.surql");
    let bytes = backup::backup(&app.state.db, &file).await.expect("backup");
    assert!(bytes > 1000, "{bytes}");
    // the file carries no live session a reader could sign in with
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(&session_id), "a session id in the backup");

    // a fresh database, as `bpc restore` opens it
    let fresh = surrealdb::engine::any::connect("mem://").await.unwrap();
    fresh.use_ns("bpc").use_db("bpc").await.unwrap();
    backup::restore(&fresh, &file).await.expect("restore");
    let tables = [
        "customer",
        "customer_key",
        "customer_history",
        "checkin",
        "followup",
        "rep_day",
        "rep_month",
        "rep_pipe",
        "user",
        "department",
        "audit_log",
        "customer_view",
        "feed_event",
    ];
    assert_eq!(
        dump(&fresh, &tables).await,
        dump(&app.state.db, &tables).await
    );
    // the check-in's photo reference came along
    let photos: Vec<i64> = fresh
        .query("SELECT VALUE array::len(photos) FROM checkin")
        .await
        .unwrap()
        .take(0)
        .unwrap();
    assert_eq!(photos, vec![1]);
    // restoring twice is refused: nothing merged into a database in use
    assert!(matches!(
        backup::restore(&fresh, &file).await,
        Err(backup::BackupError::NotEmpty(_))
    ));
    // the restored database serves the app: schema applied at start, a sign-in works
    server::db::apply_schema(&fresh)
        .await
        .expect("schema on the restored data");
    let _ = std::fs::remove_file(file);
}

async fn customers_view(
    app: &crate::helpers::TestApp,
    who: &app::auth::model::CurrentUser,
    id: &str,
) {
    app::customers::service::detail(&app.state, who, id)
        .await
        .expect("detail");
}

#[tokio::test]
async fn a_missing_file_and_a_server_url_are_refused_with_a_reason() {
    let fresh = surrealdb::engine::any::connect("mem://").await.unwrap();
    fresh.use_ns("bpc").use_db("bpc").await.unwrap();
    let missing = temp_file("none.surql");
    assert!(matches!(
        backup::restore(&fresh, &missing).await,
        Err(backup::BackupError::Missing(_))
    ));
    let mut settings = server::settings::Settings::for_tests();
    settings.database_url = "ws://127.0.0.1:8000".into();
    let Err(err) = backup::open(&settings).await else {
        panic!("a server URL was accepted");
    };
    assert!(err.to_string().contains("surreal export"), "{err}");
}
