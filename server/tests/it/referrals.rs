//! The referral tree against a real in-memory SurrealDB: referrers picked or typed
//! among the customers one may see, trees pruned to the viewer's scope with won
//! amounts rolled up, the thank and ask lists, and loops refused.

use crate::helpers::{spawn_app, TestApp};
use app::customers::model::{CustomerInput, RegisterOutcome};
use app::error::AppError;
use app::referrals::model::TreeNode;
use app::referrals::service as referrals;
use reqwest::StatusCode;

fn input(name: &str, phone: &str, referred_by: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        phones: phone.into(),
        contact: "赵丽".into(),
        address: "上海市长宁区延安西路 100 号".into(),
        industry: "食品".into(),
        region: "上海".into(),
        expected_amount: "20000".into(),
        referred_by: referred_by.into(),
        ..Default::default()
    }
}

async fn register(
    app: &TestApp,
    who: &app::auth::model::CurrentUser,
    c: CustomerInput,
) -> Result<String, AppError> {
    let ticked = app::funnel::repo::list_qual_items(&app.state.db)
        .await
        .expect("items")
        .into_iter()
        .map(|i| i.id)
        .collect();
    match app::customers::service::register(&app.state, who, c, ticked, true).await? {
        RegisterOutcome::Created { id, .. } => Ok(id),
        other => panic!("not created: {other:?}"),
    }
}

async fn won(app: &TestApp, id: &str, cents: i64) {
    app.state
        .db
        .query("UPDATE type::record('customer', $id) SET won = true, expected_cents = $c")
        .bind(("id", id.to_string()))
        .bind(("c", cents))
        .await
        .expect("won")
        .check()
        .expect("ok");
}

fn shape(n: &TreeNode) -> String {
    let own = n.name.clone().unwrap_or_else(|| "?".into());
    let hidden = if n.hidden_below > 0 {
        format!("+{}", n.hidden_below)
    } else {
        String::new()
    };
    if n.children.is_empty() {
        format!("{own}{hidden}")
    } else {
        let kids: Vec<String> = n.children.iter().map(shape).collect();
        format!("{own}{hidden}({})", kids.join(","))
    }
}

#[tokio::test]
async fn referrers_are_picked_among_visible_customers_and_trees_are_pruned() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let manager1 = app.user("manager1").await;

    let a = register(
        &app,
        &rep1,
        input("上海甲乙食品有限公司", "13700000001", ""),
    )
    .await
    .unwrap();
    // typed by name (as without JavaScript), in another spelling of the same company
    let b = register(
        &app,
        &rep1,
        input("上海乙丙贸易有限公司", "13700000002", "上海甲乙食品"),
    )
    .await
    .unwrap();
    // rep2 may not name rep1's customer, by name or by id
    assert_eq!(
        register(
            &app,
            &rep2,
            input(
                "上海丙丁实业有限公司",
                "13700000003",
                "上海乙丙贸易有限公司"
            )
        )
        .await,
        Err(AppError::validation("referred_by", "not_found"))
    );
    assert_eq!(
        register(
            &app,
            &rep2,
            input("上海丙丁实业有限公司", "13700000003", &b)
        )
        .await,
        Err(AppError::validation("referred_by", "not_found"))
    );
    assert_eq!(
        register(
            &app,
            &rep1,
            input("上海戊己有限公司", "13700000009", "不存在的公司")
        )
        .await,
        Err(AppError::validation("referred_by", "not_found"))
    );
    // rep2's own customer c, whose referrer the manager sets to b
    let c = register(
        &app,
        &rep2,
        input("上海丙丁实业有限公司", "13700000003", ""),
    )
    .await
    .unwrap();
    assert_eq!(
        referrals::set_referrer(&app.state, &rep2, &c, &b).await,
        Err(AppError::validation("referred_by", "not_found"))
    );
    referrals::set_referrer(&app.state, &manager1, &c, &b)
        .await
        .expect("manager sets it");
    won(&app, &b, 500_000).await;
    won(&app, &c, 300_000).await;

    // rep1 sees a → b, and one customer below b outside their scope
    let v = referrals::view(&app.state, &rep1, Default::default())
        .await
        .expect("view");
    let shapes: Vec<String> = v.trees.iter().map(shape).collect();
    assert_eq!(shapes, vec!["上海甲乙食品有限公司(上海乙丙贸易有限公司+1)"]);
    // rolled up: only what rep1 may see
    assert_eq!(v.trees[0].won_below_cents, 500_000);
    assert_eq!(v.trees[0].children[0].referred, 1);
    assert!(
        !format!("{v:?}").contains("丙丁"),
        "a hidden customer's name leaked"
    );
    // thank a and b; b is won and has referred, so nobody to ask yet
    let thank: Vec<&str> = v.thank.iter().map(|r| r.name.as_str()).collect();
    // the one whose referrals brought more first
    assert_eq!(thank, vec!["上海甲乙食品有限公司", "上海乙丙贸易有限公司"]);
    assert!(v.unreferred.is_empty());

    // rep2 sees c under two nameless customers
    let v = referrals::view(&app.state, &rep2, Default::default())
        .await
        .expect("view");
    let shapes: Vec<String> = v.trees.iter().map(shape).collect();
    assert_eq!(shapes, vec!["?(?(上海丙丁实业有限公司))"]);
    let ask: Vec<&str> = v.unreferred.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(ask, vec!["上海丙丁实业有限公司"]);

    // the manager sees the whole chain and its deals
    let v = referrals::view(&app.state, &manager1, Default::default())
        .await
        .expect("view");
    let shapes: Vec<String> = v.trees.iter().map(shape).collect();
    assert_eq!(
        shapes,
        vec!["上海甲乙食品有限公司(上海乙丙贸易有限公司(上海丙丁实业有限公司))"]
    );
    assert_eq!(v.trees[0].won_below_cents, 800_000);

    // a loop is refused: a may not be referred by c, nor by itself
    assert_eq!(
        referrals::set_referrer(&app.state, &manager1, &a, &c).await,
        Err(AppError::validation("referred_by", "referral_cycle"))
    );
    assert_eq!(
        referrals::set_referrer(&app.state, &rep1, &a, &a).await,
        Err(AppError::validation("referred_by", "referral_cycle"))
    );
    // a rep changes their own customer's referrer; the change is in its history
    referrals::set_referrer(&app.state, &rep1, &b, "")
        .await
        .expect("cleared");
    let history = app::customers::repo::history(&app.state.db, &b)
        .await
        .expect("history");
    assert!(history.iter().any(|h| h.action == "referrer"));
    let v = referrals::view(&app.state, &manager1, Default::default())
        .await
        .expect("view");
    let shapes: Vec<String> = v.trees.iter().map(shape).collect();
    assert_eq!(shapes, vec!["上海乙丙贸易有限公司(上海丙丁实业有限公司)"]);
}

#[tokio::test]
async fn the_picker_offers_only_customers_one_may_see() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep5 = app.user("rep5").await;
    register(
        &app,
        &rep1,
        input("上海星光灯饰有限公司", "13700000011", ""),
    )
    .await
    .unwrap();
    register(
        &app,
        &rep5,
        input("上海星河电子有限公司", "13700000012", ""),
    )
    .await
    .unwrap();
    let mut as_rep1 = app.signed_in("rep1").await;
    let r = as_rep1.call("referrer_options", &[("q", "星")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let names: Vec<String> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["上海星光灯饰有限公司"]);
    // bad input is a typed error; nobody signed in is refused
    let r = as_rep1
        .call("referrer_options", &[("q", "\u{202e}星")])
        .await;
    assert_eq!(r.error_code(), Some("bidi_chars"));
    assert_eq!(
        app.client()
            .call("referrer_options", &[("q", "星")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.client().call("referrals", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut as_rep5 = app.signed_in("rep5").await;
    let r = as_rep5
        .call(
            "set_referrer",
            &[("customer", "nosuchcustomer"), ("referred_by", "")],
        )
        .await;
    assert_eq!(r.error_kind(), Some("not_found"));
}
