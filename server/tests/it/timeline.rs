//! One customer's timeline: history, check-ins, follow-ups with their photos and
//! alarms, newest first, a page at a time, in the company's time zone, for
//! those who may read the customer only.

use crate::helpers::spawn_app;
use app::customers::model::CustomerInput;
use reqwest::StatusCode;

fn png() -> bytes::Bytes {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([20, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    bytes::Bytes::from(out.into_inner())
}

#[tokio::test]
async fn the_timeline_merges_every_source_newest_first_and_pages_without_repeats() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let id = app
        .locked_customer(
            &rep1,
            CustomerInput {
                name: "温州时间线鞋业有限公司".into(),
                phones: "13800009999".into(),
                industry: "制造".into(),
                ..Default::default()
            },
        )
        .await;
    // a follow-up with a photo, then 40 more, a minute apart
    app::field::service::follow_up(
        &app.state,
        &rep1,
        &id,
        "",
        "第一次拜访，带了样品",
        vec![png()],
    )
    .await
    .expect("follow-up with a photo");
    for i in 0..40 {
        app.state.clock.advance(60);
        app::field::service::follow_up(
            &app.state,
            &rep1,
            &id,
            "",
            &format!("第{i}次电话跟进"),
            vec![],
        )
        .await
        .expect("follow-up");
    }
    let mut c = app.signed_in("rep1").await;
    let first = c.call("customer_timeline", &[("id", &id)]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let items = first.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 30);
    // newest first, in company time ("2026-12-04 14:10")
    assert!(items[0]["what"]["Followup"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("第39次")));
    assert!(items.iter().all(|i| i["when"]
        .as_str()
        .is_some_and(|w| w.len() == 16 && !w.contains('T'))));
    let next = first.body["next"]
        .as_str()
        .expect("a second page")
        .to_string();
    let second = c
        .call("customer_timeline", &[("id", &id), ("before", &next)])
        .await;
    let rest = second.body["items"].as_array().expect("items");
    // 41 follow-ups and the registration: 12 on the second page, the oldest last
    assert_eq!(items.len() + rest.len(), 42);
    assert!(second.body["next"].is_null());
    assert_eq!(
        rest.last().expect("oldest")["what"]["History"]["action"],
        "register_locked"
    );
    let photo = &rest[rest.len() - 2];
    assert_eq!(photo["photos"].as_array().map(Vec::len), Some(1), "{photo}");
    // the manager reads it; another rep and a stranger to the id do not
    let mut m = app.signed_in("manager1").await;
    assert_eq!(
        m.call("customer_timeline", &[("id", &id)]).await.status,
        StatusCode::OK
    );
    let mut r2 = app.signed_in("rep2").await;
    let refused = r2.call("customer_timeline", &[("id", &id)]).await;
    assert_eq!(refused.error_kind(), Some("not_found"), "{}", refused.body);
    let bad = c
        .call("customer_timeline", &[("id", &id), ("before", "yesterday")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let signed_out = app.client().call("customer_timeline", &[("id", &id)]).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
}
