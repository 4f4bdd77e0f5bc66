//! Customer import against a real in-memory SurrealDB: the check (dry run)
//! refuses rows with registration's reasons and row numbers, duplicates say
//! when, never by whom; the import writes through registration's transaction,
//! respects a rep's cap, is audited; importers choose only targets they may;
//! a batch is its importer's alone. Over HTTP: the template, the upload and the
//! error workbook, each read back.

use crate::helpers::{count, spawn_app, TestApp};
use app::auth::model::CurrentUser;
use app::customers::model::CustomerInput;
use app::error::AppError;
use app::import::model::ImportView;
use app::import::service as import;
use reqwest::StatusCode;
use surrealdb::types::SurrealValue;

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn wait_done(app: &TestApp, who: &CurrentUser, id: &str) -> ImportView {
    for _ in 0..200 {
        let v = import::view(&app.state, who, id).await.expect("view");
        if v.status == "done" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

async fn customer_of(app: &TestApp, name: &str) -> Option<(String, Option<String>, String)> {
    let mut r = app
        .state
        .db
        .query(
            "SELECT status, (IF owner != NONE THEN record::id(owner) END) AS owner, record::id(id) AS id
             FROM customer WHERE name = $n",
        )
        .bind(("n", name.to_string()))
        .await
        .expect("query");
    #[derive(Debug, SurrealValue)]
    struct Row {
        status: String,
        owner: Option<String>,
        id: String,
    }
    let rows: Vec<Row> = r.take(0).expect("rows");
    rows.into_iter().next().map(|r| (r.status, r.owner, r.id))
}

#[tokio::test]
async fn a_rep_checks_a_file_sees_each_refusal_by_row_then_imports_the_rest() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    // a colleague registered one of the companies already
    app.locked_customer(
        &rep2,
        CustomerInput {
            name: "上海已登记贸易有限公司".into(),
            phones: "13900001111".into(),
            ..Default::default()
        },
    )
    .await;
    let file = workbook(&[
        &["公司名称", "电话", "行业", "资格已确认", "备用列"],
        &["杭州导入科技有限公司", "13911110001", "软件", "是", "x"],
        &["", "13911110002", "", "", ""],
        &["上海已登记贸易有限公司", "13911110003", "", "", ""],
        &["杭州导入科技有限公司", "13911110004", "", "", ""],
        &["", "", "", "", ""],
        &["苏州导入材料有限公司", "0512-66660005", "材料", "否", ""],
        &["南京导入物流有限公司", "13911110006", "", "也许", ""],
    ]);
    let before = app.row_counts().await;
    let id = import::check(&app.state, &rep1, "", "客户名单.xlsx", file)
        .await
        .expect("check");
    // the check writes nothing but the batch and its rows
    let after = app.row_counts().await;
    for (table, n) in &before {
        if !table.starts_with("import_") {
            assert_eq!(after.get(table), Some(n), "{table} changed by a dry run");
        }
    }
    let v = import::view(&app.state, &rep1, &id).await.expect("view");
    assert_eq!(v.status, "checked");
    assert_eq!(v.file_name, "客户名单.xlsx");
    assert_eq!((v.rows, v.accepted, v.refused_count), (6, 2, 4));
    // one qualified row locks, the unqualified one is a draft
    assert_eq!((v.will_lock, v.will_draft), (1, 1));
    let reasons: Vec<(u32, &str, &str)> = v
        .refused
        .iter()
        .map(|r| (r.row, r.field.as_str(), r.code.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (3, "name", "required"),
            (4, "name", "duplicate"),
            (5, "name", "same_as"),
            (8, "qualified", "invalid"),
        ]
    );
    // the duplicate says when it was registered, never by whom
    let dup = &v.refused[1];
    assert!(dup.on.as_deref().is_some_and(|d| d.len() == 10), "{dup:?}");
    assert!(!serde_json::to_string(dup).unwrap().contains(&rep2.id));
    assert_eq!(v.refused[2].same_as, Some(2));

    import::start(&app.state, &rep1, &id).await.expect("start");
    // a second start is refused
    assert!(matches!(
        import::start(&app.state, &rep1, &id).await,
        Err(AppError::Conflict { .. })
    ));
    let v = wait_done(&app, &rep1, &id).await;
    assert_eq!(
        (v.imported, v.locked, v.drafts, v.failed_count),
        (2, 1, 1, 0)
    );
    assert_eq!(
        customer_of(&app, "杭州导入科技有限公司")
            .await
            .map(|c| (c.0, c.1)),
        Some(("owned".into(), Some(rep1.id.clone())))
    );
    let (status, owner, cid) = customer_of(&app, "苏州导入材料有限公司").await.unwrap();
    assert_eq!(
        (status.as_str(), owner.as_deref()),
        ("draft", Some(rep1.id.as_str()))
    );
    // each customer's history says it was imported, and by whom; the import is audited
    let mut r = app
        .state
        .db
        .query(
            "SELECT VALUE action FROM customer_history WHERE customer = type::record('customer', $c);
             SELECT VALUE detail.imported FROM audit_log WHERE action = 'import' AND actor = type::record('user', $u);",
        )
        .bind(("c", cid))
        .bind(("u", rep1.id.clone()))
        .await
        .unwrap();
    let actions: Vec<String> = r.take(0).unwrap();
    assert_eq!(actions, vec!["import"]);
    let audited: Vec<i64> = r.take(1).unwrap();
    assert_eq!(audited, vec![2]);
    // and its start was on record before it ran
    let started = crate::helpers::count(
        &app,
        "RETURN count(SELECT id FROM audit_log WHERE action = 'import.start')",
    )
    .await;
    assert_eq!(started, 1);
    // an import is not counted as new customers won by work
    let board =
        app::measure::service::board(&app.state, &rep1, "locked", "month", "", "", "", true)
            .await
            .expect("board");
    let mine = board
        .rows
        .iter()
        .find(|r| r.user_id == rep1.id)
        .and_then(|r| r.value);
    assert_eq!(mine, Some(0));
}

#[tokio::test]
async fn a_reps_import_locks_only_up_to_the_cap_and_the_rest_stay_drafts() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let owned = app::customers::repo::count_owned(&app.state.db, &rep1.id, false)
        .await
        .unwrap();
    let cap = app::funnel::rules::Limits::default().max_owned;
    let names: Vec<String> = (0..(cap - owned + 3))
        .map(|i| format!("上限测试第{i}号机械有限公司"))
        .collect();
    let phones: Vec<String> = (0..names.len()).map(|i| format!("1370000{i:04}")).collect();
    let mut rows: Vec<Vec<&str>> = vec![vec!["公司名称", "电话", "资格已确认"]];
    for (n, p) in names.iter().zip(&phones) {
        rows.push(vec![n.as_str(), p.as_str(), "是"]);
    }
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    let id = import::check(&app.state, &rep1, "me", "cap.xlsx", workbook(&rows))
        .await
        .expect("check");
    let v = import::view(&app.state, &rep1, &id).await.unwrap();
    assert_eq!((v.will_lock, v.will_draft), (cap - owned, 3));
    import::start(&app.state, &rep1, &id).await.expect("start");
    let v = wait_done(&app, &rep1, &id).await;
    assert_eq!((v.locked, v.drafts), (cap - owned, 3));
    assert_eq!(
        app::customers::repo::count_owned(&app.state.db, &rep1.id, false)
            .await
            .unwrap(),
        cap
    );
}

#[tokio::test]
async fn a_gbk_csv_is_read_as_chinese_excel_saves_it() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let text = "公司名称,电话,地区\r\n无锡编码测试有限公司,13600001234,无锡\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let id = import::check(&app.state, &rep1, "me", "客户.csv", gbk.into_owned())
        .await
        .expect("check");
    let v = import::view(&app.state, &rep1, &id).await.unwrap();
    assert_eq!((v.status.as_str(), v.accepted), ("checked", 1));
    import::start(&app.state, &rep1, &id).await.unwrap();
    wait_done(&app, &rep1, &id).await;
    assert!(customer_of(&app, "无锡编码测试有限公司").await.is_some());
}

#[tokio::test]
async fn a_file_that_cannot_be_imported_says_why_and_writes_no_customer() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let id = import::check(
        &app.state,
        &rep1,
        "me",
        "x.xlsx",
        workbook(&[&["公司名称", "行业"], &["甲公司", "软件"]]),
    )
    .await
    .unwrap();
    let v = import::view(&app.state, &rep1, &id).await.unwrap();
    assert_eq!(v.status, "invalid");
    assert_eq!(v.error.as_deref(), Some("missing_columns"));
    assert_eq!(v.missing, vec!["phones"]);
    assert!(matches!(
        import::start(&app.state, &rep1, &id).await,
        Err(AppError::Conflict { .. })
    ));
    // a file that cannot be read at all: refused, nothing stored
    let batches = count(&app, "RETURN count(SELECT id FROM import_batch)").await;
    for (bytes, code) in [
        (b"PK\x03\x04not a workbook".to_vec(), "unreadable"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 an old .xls".to_vec(),
            "unsupported",
        ),
    ] {
        assert_eq!(
            import::check(&app.state, &rep1, "me", "x.xls", bytes).await,
            Err(AppError::validation("file", code))
        );
    }
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM import_batch)").await,
        batches
    );
}

#[tokio::test]
async fn importers_choose_only_where_they_may_and_a_batch_is_theirs_alone() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let rep5 = app.user("rep5").await;
    let manager1 = app.user("manager1").await;
    let admin = app.user("admin").await;
    let file = || {
        workbook(&[
            &["公司名称", "电话"],
            &["青岛去向测试有限公司", "13500001234"],
        ])
    };
    // a rep imports into their own name only
    let values: Vec<String> = import::targets(&app.state, &rep1)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.value)
        .collect();
    assert_eq!(values, vec!["me"]);
    for target in [
        "pool".to_string(),
        format!("rep:{}", rep2.id),
        format!("department:{}", rep1.department_id),
    ] {
        assert!(
            matches!(
                import::check(&app.state, &rep1, &target, "f.xlsx", file()).await,
                Err(AppError::Forbidden)
            ),
            "{target}"
        );
    }
    // a manager: their tree, not another department's people or inbox, not the pool
    assert!(import::check(
        &app.state,
        &manager1,
        &format!("rep:{}", rep2.id),
        "f.xlsx",
        file()
    )
    .await
    .is_ok());
    for target in [
        format!("rep:{}", rep5.id),
        format!("department:{}", rep5.department_id),
        "pool".into(),
    ] {
        assert!(
            matches!(
                import::check(&app.state, &manager1, &target, "f.xlsx", file()).await,
                Err(AppError::Forbidden)
            ),
            "{target}"
        );
    }
    // the admin: the pool, and a department's inbox (its manager holds them)
    let id = import::check(&app.state, &admin, "pool", "f.xlsx", file())
        .await
        .expect("pool");
    // nobody else sees or starts the admin's batch
    for who in [&rep1, &manager1] {
        assert!(matches!(
            import::view(&app.state, who, &id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            import::start(&app.state, who, &id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            import::errors(&app.state, who, &id).await,
            Err(AppError::NotFound)
        ));
    }
    import::start(&app.state, &admin, &id).await.unwrap();
    wait_done(&app, &admin, &id).await;
    assert_eq!(
        customer_of(&app, "青岛去向测试有限公司")
            .await
            .map(|c| (c.0, c.1)),
        Some(("pool".into(), None))
    );
    let id = import::check(
        &app.state,
        &admin,
        &format!("department:{}", rep5.department_id),
        "f.xlsx",
        workbook(&[
            &["公司名称", "电话"],
            &["烟台收件箱测试有限公司", "13500005678"],
        ]),
    )
    .await
    .expect("department");
    import::start(&app.state, &admin, &id).await.unwrap();
    wait_done(&app, &admin, &id).await;
    let manager2 = app.user("manager2").await;
    assert_eq!(
        customer_of(&app, "烟台收件箱测试有限公司")
            .await
            .map(|c| (c.0, c.1)),
        Some(("held".into(), Some(manager2.id.clone())))
    );
}

#[tokio::test]
async fn over_http_the_template_the_upload_and_the_error_workbook_read_back() {
    let app = spawn_app().await;
    // the template: every column, in both languages
    let anon = app.client();
    let (status, bytes) = anon.get_bytes("/import/template.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let rows = app::import::file::read_rows(&bytes).expect("template reads");
    assert_eq!(rows[0].len(), app::import::rules::COLUMNS.len());
    assert_eq!(rows[0][0], "公司名称 / Company name *");
    // signed out, the upload goes to the sign-in page
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = || {
        reqwest::multipart::Form::new().text("target", "me").part(
            "file",
            reqwest::multipart::Part::bytes(workbook(&[
                &["公司名称 / Company name *", "电话 / Phone numbers *"],
                &["大连接口测试有限公司", "13300001234"],
                &["", "13300005678"],
            ]))
            .file_name("接口.xlsx"),
        )
    };
    let r = http
        .post(format!("{}/import/check", app.base))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    // signed in: a redirect to the checked batch's page
    let rep = app.signed_in("rep1").await;
    let r = http
        .post(format!("{}/import/check", app.base))
        .header("cookie", rep.cookie().unwrap())
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = r.headers()["location"].to_str().unwrap().to_string();
    let id = page
        .strip_prefix("/customers/import/")
        .expect("batch page")
        .to_string();
    let (status, html) = rep.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("大连接口测试有限公司") || html.contains("data-testid=\"import-checked\"")
    );
    // the error workbook: the file's columns and the reason
    let (status, bytes) = rep.get_bytes(&format!("/import/{id}/errors.xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    let rows = app::import::file::read_rows(&bytes).expect("errors read");
    assert_eq!(rows[1][1], "13300005678");
    assert!(
        rows[1][2].contains('3') && rows[1][2].contains("必填"),
        "{:?}",
        rows[1]
    );
    // someone else's batch: not found
    let other = app.signed_in("rep2").await;
    let (status, _) = other.get_bytes(&format!("/import/{id}/errors.xlsx")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // no file, and a file too large: the form again, saying why, as a 4xx
    let r = http
        .post(format!("{}/import/check", app.base))
        .header("cookie", rep.cookie().unwrap())
        .multipart(reqwest::multipart::Form::new().text("target", "me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"import-error\"") && html.contains("请选择一个文件"),
        "{html}"
    );
    assert!(html.contains("data-testid=\"import-form\""));
    // the page is whole: its frame and its own server functions read the
    // form's session (they answered "server error" when it was not passed on)
    assert!(!html.contains("服务器出错了"), "{html}");
    let big = vec![b'a'; app::import::rules::MAX_BYTES + 1024];
    let r = http
        .post(format!("{}/import/check", app.base))
        .header("cookie", rep.cookie().unwrap())
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(big).file_name("big.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_exported_list_reads_back_with_its_customers() {
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let manager1 = app.user("manager1").await;
    app.locked_customer(
        &rep1,
        CustomerInput {
            name: "厦门导出回读有限公司".into(),
            phones: "13200001234".into(),
            industry: "贸易".into(),
            expected_amount: "12000".into(),
            ..Default::default()
        },
    )
    .await;
    let cards = app::customers::service::export(&app.state, &manager1)
        .await
        .expect("export");
    let bytes = server::export::workbook(&cards, "zh-CN").expect("workbook");
    let rows = app::import::file::read_rows(&bytes).expect("reads");
    assert_eq!(rows[0][0], "公司名称");
    let row = rows
        .iter()
        .find(|r| r[0] == "厦门导出回读有限公司")
        .expect("exported");
    assert_eq!(row[4], "贸易");
    assert_eq!(row[8], "13200001234");
    assert_eq!(row[9], "12000");
    assert_eq!(rows.len() - 1, cards.len());
}

#[tokio::test]
async fn hostile_uploads_get_an_answer_never_a_crash() {
    let app = spawn_app().await;
    let before = app.row_counts().await;
    for who in [None, Some("rep1")] {
        let client = match who {
            Some(login) => app.signed_in(login).await,
            None => app.client(),
        };
        let cases: Vec<(Option<&[u8]>, Vec<u8>)> = vec![
            (None, b"file=abc".to_vec()),
            (Some(b"application/json"), b"{}".to_vec()),
            (Some(b"multipart/form-data"), b"--x\r\n".to_vec()),
            (Some(b"multipart/form-data; boundary=x"), b"\xff\xfe garbage".to_vec()),
            (
                Some(b"multipart/form-data; boundary=x"),
                b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK\x03\x04\xff\r\n--x--\r\n".to_vec(),
            ),
        ];
        for (ct, body) in cases {
            let reply = client
                .raw(reqwest::Method::POST, "/import/check", ct, body)
                .await
                .expect("an answer");
            assert!(
                reply.status.as_u16() < 500,
                "{who:?} {ct:?}: {}",
                reply.status
            );
        }
        for path in [
            "/import/nope/errors.xlsx",
            "/import/%FF/errors.xlsx",
            "/import/template.xlsx",
        ] {
            let reply = client
                .raw(reqwest::Method::GET, path, None, Vec::new())
                .await
                .expect("an answer");
            assert!(reply.status.as_u16() < 500, "{path}: {}", reply.status);
        }
    }
    let (status, _) = app.client().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    // nothing but checked batches (a signed-in garbage workbook) was written
    let after = app.row_counts().await;
    for (table, n) in &before {
        if !table.starts_with("import_") {
            assert_eq!(after.get(table), Some(n), "{table}");
        }
    }
}

#[tokio::test]
async fn dry_runs_are_limited_per_person_and_day() {
    // security review, Low: a dry run compares every row with the whole company
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let rep2 = app.user("rep2").await;
    let file = || {
        workbook(&[
            &["公司名称", "电话"],
            &["温州限额测试有限公司", "13700009999"],
        ])
    };
    for i in 0..app::import::rules::MAX_CHECKS_PER_DAY {
        import::check(&app.state, &rep1, "me", "x.xlsx", file())
            .await
            .unwrap_or_else(|e| panic!("check {i}: {e:?}"));
    }
    assert_eq!(
        import::check(&app.state, &rep1, "me", "x.xlsx", file()).await,
        Err(AppError::RateLimited)
    );
    // someone else is not affected, and the next day counts afresh
    import::check(&app.state, &rep2, "me", "x.xlsx", file())
        .await
        .expect("another person");
    app.state.clock.advance(24 * 3600);
    import::check(&app.state, &rep1, "me", "x.xlsx", file())
        .await
        .expect("the next day");
    app.state.clock.set(None);
}

#[tokio::test]
async fn an_uploads_cells_are_kept_seven_days_then_only_its_counts() {
    // security review, Low: batches kept every uploaded cell forever
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let file = || {
        workbook(&[
            &["公司名称", "电话"],
            &["绍兴保留期限测试有限公司", "13711112222"],
            &["", "13733334444"],
        ])
    };
    let old = import::check(&app.state, &rep1, "me", "old.xlsx", file())
        .await
        .expect("checked");
    let v = import::view(&app.state, &rep1, &old).await.unwrap();
    assert_eq!(
        (v.status.as_str(), v.refused_count, v.expired),
        ("checked", 1, false)
    );
    assert!(import::errors(&app.state, &rep1, &old).await.is_ok());
    // eight days on, a newer check stays whole and the old one loses its cells
    app.state.clock.advance(8 * 24 * 3600);
    let new = import::check(&app.state, &rep1, "me", "new.xlsx", file())
        .await
        .expect("checked");
    assert_eq!(import::purge_expired(&app.state).await.unwrap(), 1);
    assert_eq!(import::purge_expired(&app.state).await.unwrap(), 0, "once");
    let v = import::view(&app.state, &rep1, &old).await.unwrap();
    assert_eq!(
        (
            v.status.as_str(),
            v.refused_count,
            v.expired,
            v.refused.len()
        ),
        ("expired", 1, true, 0)
    );
    assert!(!v.has_errors());
    assert_eq!(
        import::errors(&app.state, &rep1, &old).await.map(|_| ()),
        Err(AppError::NotFound)
    );
    assert!(matches!(
        import::start(&app.state, &rep1, &old).await,
        Err(AppError::Conflict { .. })
    ));
    let mut r = app
        .state
        .db
        .query(
            "RETURN <string>(SELECT * FROM type::record('import_batch', $b));
             RETURN count(SELECT id FROM import_chunk WHERE batch = type::record('import_batch', $b));",
        )
        .bind(("b", old.clone()))
        .await
        .unwrap();
    let stored: Option<String> = r.take(0).unwrap();
    let chunks: Option<i64> = r.take(1).unwrap();
    let stored = stored.unwrap_or_default();
    assert!(
        !stored.contains("13733334444") && !stored.contains("13711112222"),
        "{stored}"
    );
    assert_eq!(chunks, Some(0));
    // the newer one is untouched and still starts
    let v = import::view(&app.state, &rep1, &new).await.unwrap();
    assert_eq!((v.status.as_str(), v.expired), ("checked", false));
    import::start(&app.state, &rep1, &new)
        .await
        .expect("starts");
    app.state.clock.set(None);
}
