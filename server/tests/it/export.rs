//! Customer export: managers and the boss take their list out as xlsx, reps may
//! not, and every export is in the audit log.

use crate::helpers::spawn_app;
use app::customers::model::CustomerInput;
use reqwest::StatusCode;

fn input(name: &str, phone: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        industry: "制造".into(),
        region: "上海".into(),
        expected_amount: "25000".into(),
        ..Default::default()
    }
}

async fn audited(app: &crate::helpers::TestApp) -> Vec<serde_json::Value> {
    let mut r = app
        .state
        .db
        .query("SELECT VALUE detail FROM audit_log WHERE action = 'export_customers' ORDER BY at")
        .await
        .expect("audit");
    let rows: Vec<surrealdb::types::Value> = r.take(0).expect("rows");
    rows.into_iter().map(|v| v.into_json_value()).collect()
}

#[tokio::test]
async fn managers_export_their_list_reps_cannot_and_every_export_is_audited() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep5 = app.user("rep5").await;
    app.locked_customer(&rep1, input("上海导出测试机械有限公司", "13912340001"))
        .await;
    app.locked_customer(&rep5, input("苏州另一部门电子有限公司", "13912340002"))
        .await;

    let (status, _) = app.client().get("/export/customers.xlsx").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let rep = app.signed_in("rep1").await;
    let (status, _) = rep.get("/export/customers.xlsx").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        audited(&app).await.is_empty(),
        "a refused export is not an export"
    );

    let m1 = app.signed_in("manager1").await;
    let (status, body) = m1.get_bytes("/export/customers.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with(b"PK"), "an xlsx is a zip file");
    let boss = app.signed_in("boss").await;
    let (status, _) = boss.get_bytes("/export/customers.xlsx").await;
    assert_eq!(status, StatusCode::OK);

    let audit = audited(&app).await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["view"], "team");
    assert_eq!(audit[0]["rows"], 1, "manager1's department only");
    assert_eq!(audit[1]["view"], "company");
    assert_eq!(audit[1]["rows"], 2);
}
