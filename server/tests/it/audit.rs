//! The audit of who viewed whose customers, against a real in-memory SurrealDB:
//! each opening by a manager, the boss or an admin of someone else's customer is
//! one row (none for the owner), bursts are flagged, and only the boss, admins
//! and the owner read it.

use crate::helpers::{spawn_app, TestApp};
use app::customers::model::CustomerInput;
use reqwest::StatusCode;

fn input(name: &str, phone: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        contact: "钱多多".into(),
        address: "上海市静安区南京西路 1 号".into(),
        industry: "服装".into(),
        region: "上海".into(),
        ..Default::default()
    }
}

async fn views(app: &TestApp) -> i64 {
    let mut r = app
        .state
        .db
        .query("RETURN count(SELECT id FROM customer_view)")
        .await
        .expect("count");
    r.take::<Option<i64>>(0).expect("n").unwrap_or(0)
}

#[tokio::test]
async fn openings_of_others_customers_are_recorded_and_read_by_the_right_people() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let names = [
        "上海一号服饰有限公司",
        "上海二号纺织有限公司",
        "上海三号鞋业有限公司",
        "上海四号皮具有限公司",
        "上海五号针织有限公司",
    ];
    let mut ids = Vec::new();
    for (i, n) in names.iter().enumerate() {
        ids.push(
            app.locked_customer(&rep1, input(n, &format!("1360000000{i}")))
                .await,
        );
    }

    // the owner's own views are not recorded
    let mut as_rep1 = app.signed_in("rep1").await;
    let r = as_rep1.call("customer", &[("id", &ids[0])]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(views(&app).await, 0);

    // the manager opens all five: five rows, and a burst
    let mut as_m1 = app.signed_in("manager1").await;
    for id in &ids {
        let r = as_m1.call("customer", &[("id", id)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_eq!(views(&app).await, 5);
    // a refused opening (another department's manager) writes nothing
    let mut as_m2 = app.signed_in("manager2").await;
    let r = as_m2.call("customer", &[("id", &ids[0])]).await;
    assert_eq!(r.error_kind(), Some("not_found"));
    assert_eq!(views(&app).await, 5);

    // the boss reads the overview; managers and reps may not
    let mut as_boss = app.signed_in("boss").await;
    let r = as_boss.call("customer", &[("id", &ids[1])]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(views(&app).await, 6);
    let r = as_boss.call("view_audit", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let viewers = r.body["viewers"].as_array().unwrap();
    let m1 = viewers
        .iter()
        .find(|v| v["name"] == "钱经理")
        .expect("manager1");
    assert_eq!(m1["total"], 5);
    assert_eq!(m1["counts"].as_array().unwrap().last().unwrap(), 5);
    let bursts = r.body["bursts"].as_array().unwrap();
    assert_eq!(bursts.len(), 1);
    assert_eq!(bursts[0]["viewer_name"], "钱经理");
    assert_eq!(bursts[0]["owner_name"], rep1.name.as_str());
    assert_eq!(bursts[0]["customers"], 5);
    assert_eq!(r.body["recent"].as_array().unwrap().len(), 6);
    assert_eq!(
        as_m1.call("view_audit", &[]).await.error_kind(),
        Some("forbidden")
    );
    assert_eq!(
        as_rep1.call("view_audit", &[]).await.error_kind(),
        Some("forbidden")
    );

    // the rep sees who opened their customers; colleagues and managers may not
    let r = as_rep1.call("views_of", &[("person", &rep1.id)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["viewer_name"], "赵总");
    assert!(rows.iter().any(|v| v["customer_name"] == names[4]));
    let mut as_rep2 = app.signed_in("rep2").await;
    assert_eq!(
        as_rep2
            .call("views_of", &[("person", &rep1.id)])
            .await
            .error_kind(),
        Some("forbidden")
    );
    assert_eq!(
        as_m1
            .call("views_of", &[("person", &rep1.id)])
            .await
            .error_kind(),
        Some("forbidden")
    );
    assert_eq!(
        app.client().call("view_audit", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}
