//! Hostile spreadsheets (security review H1): a workbook is a zip of XML, so a
//! 1.5 KB upload can name a cell a million rows down, declare a hundred
//! billion shared strings, or unpack to gigabytes. Each is refused with a
//! 400 that names the reason, the server stays up, and its peak memory hardly
//! moves (measured on a real `bpc` process); a parse that still overruns dies
//! in its own child process, not in the server.

use crate::helpers::process::{bpc_alone, free_port};
use crate::helpers::spawn_app_with;
use app::error::AppError;
use app::import::file::read_table;
use reqwest::StatusCode;
use std::io::{Read, Write};
use zip::write::SimpleFileOptions;

/// A real workbook (two rows: header and one customer), as Excel would save it.
fn plain_workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, text) in ["公司名称", "电话"].iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    sheet.write_string(1, 0, "青岛安全测试有限公司").unwrap();
    sheet.write_string(1, 1, "13600001234").unwrap();
    book.save_to_buffer().unwrap()
}

/// `book` with the entry `name` replaced by what `body` writes (streamed, so
/// a gigabyte entry never sits in memory here either).
fn with_entry(book: &[u8], name: &str, body: impl Fn(&mut dyn Write)) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let entry_name = entry.name().unwrap().into_owned();
        out.start_file(entry_name.as_str(), options).unwrap();
        if entry_name == name {
            body(&mut out);
        } else {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

const SHEET: &str = "xl/worksheets/sheet1.xml";
const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>公司名称</t></is></c><c r="B1" t="inlineStr"><is><t>电话</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>青岛安全测试有限公司</t></is></c><c r="B2" t="inlineStr"><is><t>13600001234</t></is></c></row>"#;
const TAIL: &str = "</sheetData></worksheet>";

/// A sheet of the two plain rows plus `extra` (rows in sheet XML).
fn sheet_with(extra: &str) -> Vec<u8> {
    let extra = extra.to_string();
    with_entry(&plain_workbook(), SHEET, move |w| {
        write!(w, "{HEAD}{extra}{TAIL}").unwrap();
    })
}

/// The review's files, each with the refusal it must get.
fn hostile_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let megabyte = vec![b' '; 1 << 20];
    vec![
        (
            "a cell at ALL40000",
            sheet_with(r#"<row r="40000"><c r="ALL40000"><v>1</v></c></row>"#),
            "too_many_rows",
        ),
        (
            "a cell at XFD1048576",
            sheet_with(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#),
            "too_many_rows",
        ),
        (
            "100 billion shared strings declared",
            with_entry(&plain_workbook(), "xl/sharedStrings.xml", |w| {
                write!(w, r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000"><si><t>x</t></si></sst>"#).unwrap();
            }),
            "too_big_inside",
        ),
        (
            "a sheet that unpacks to 256 MB",
            with_entry(&plain_workbook(), SHEET, move |w| {
                write!(w, "{HEAD}").unwrap();
                for _ in 0..256 {
                    w.write_all(&megabyte).unwrap();
                }
                write!(w, "{TAIL}").unwrap();
            }),
            "too_big_inside",
        ),
        (
            "an old .xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0".to_vec(),
            "unsupported",
        ),
    ]
}

/// A column's letters (0 → A, 16383 → XFD).
fn column_name(mut col: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

/// A generated workbook: the plain two rows plus a cell at each `(row, col)`
/// (rows below the first two), the shared strings declaring `declared`, 70 MB
/// of spaces in the sheet when `inflate` (past the 64 MB an import may unpack
/// to), and `garbage` bytes before the sheet's end.
fn generated_workbook(
    cells: &[(u32, u32)],
    declared: Option<u64>,
    inflate: bool,
    garbage: Option<&[u8]>,
) -> Vec<u8> {
    let mut extra = String::new();
    for (row, col) in cells {
        extra.push_str(&format!(
            r#"<row r="{r}"><c r="{c}{r}"><v>1</v></c></row>"#,
            r = row + 3,
            c = column_name(*col)
        ));
    }
    let mut book = plain_workbook();
    if let Some(n) = declared {
        book = with_entry(&book, "xl/sharedStrings.xml", move |w| {
            write!(w, r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{n}"><si><t>x</t></si></sst>"#).unwrap();
        });
    }
    let megabyte = vec![b' '; 1 << 20];
    let garbage = garbage.map(<[u8]>::to_vec);
    with_entry(&book, SHEET, move |w| {
        write!(w, "{HEAD}{extra}").unwrap();
        for _ in 0..if inflate { 70 } else { 0 } {
            w.write_all(&megabyte).unwrap();
        }
        if let Some(g) = &garbage {
            w.write_all(g).unwrap();
        }
        write!(w, "{TAIL}").unwrap();
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Generated workbooks (cells anywhere on the sheet, any declared count of
    /// shared strings, padding that inflates far past the limit, garbage in the
    /// sheet's XML) are read or refused with one of the known reasons, never a
    /// panic, and never more rows than an import may have.
    #[test]
    fn any_generated_workbook_is_read_or_refused_for_a_known_reason(
        cells in proptest::collection::vec((0u32..1_048_576, 0u32..16_384), 0..6),
        declared in proptest::option::of(0u64..u64::MAX),
        inflate in proptest::bool::ANY,
        garbage in proptest::option::of(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)),
    ) {
        let book = generated_workbook(&cells, declared, inflate, garbage.as_deref());
        match read_table(&book) {
            Ok(rows) => proptest::prop_assert!(rows.len() <= app::import::rules::MAX_ROWS + 1),
            Err(code) => proptest::prop_assert!(
                ["too_many_rows", "too_big_inside", "unreadable", "empty", "too_large"].contains(&code),
                "{code}"
            ),
        }
    }
}

#[test]
fn each_hostile_workbook_is_refused_for_its_reason_and_a_far_column_is_ignored() {
    for (what, bytes, code) in hostile_files() {
        assert!(
            bytes.len() < 8 * 1024 * 1024,
            "{what}: {} bytes",
            bytes.len()
        );
        assert_eq!(read_table(&bytes), Err(code), "{what}");
    }
    // a stray cell far to the right is not a column of the import
    let rows = read_table(&sheet_with(r#"<row r="3"><c r="XFD3"><v>1</v></c></row>"#)).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1], vec!["青岛安全测试有限公司", "13600001234"]);
}

#[tokio::test]
async fn hostile_uploads_get_a_400_and_the_server_stays_up_with_bounded_memory() {
    let port = free_port();
    let server = bpc_alone(port, &[]).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .post(format!("{base}/api/login"))
        .header("accept", "application/json")
        .form(&[("login", "rep1"), ("password", crate::helpers::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let files = hostile_files();
    let resident = server.status_bytes("VmRSS");
    for (what, bytes, code) in files {
        let form = reqwest::multipart::Form::new().text("target", "me").part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("客户.xlsx"),
        );
        let r = http
            .post(format!("{base}/import/check"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{what}");
        let html = r.text().await.unwrap();
        let zh: serde_json::Value =
            serde_json::from_str(include_str!("../../../app/locales/zh-CN.json")).unwrap();
        let message = zh[format!("import_err_{code}")].as_str().unwrap();
        assert!(html.contains(message), "{what}: {code} not shown");
        assert!(
            !html.contains("服务器出错了"),
            "{what}: the page had an internal error"
        );
        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "{what}: server down");
        println!(
            "hostile upload {what}: {code}, server peak so far {} MB",
            server.status_bytes("VmHWM") >> 20
        );
    }
    // the peak over all five files, against what the server held before them
    let peak = server.status_bytes("VmHWM");
    let growth = peak.saturating_sub(resident);
    println!(
        "hostile uploads: resident {} MB before, peak {} MB after (+{} MB)",
        resident >> 20,
        peak >> 20,
        growth >> 20
    );
    assert!(
        growth < 64 << 20,
        "server memory grew by {} MB",
        growth >> 20
    );
}

#[tokio::test]
async fn a_parse_that_overruns_its_memory_dies_in_the_child_not_the_server() {
    // 1 MB beyond its start: the child cannot even hold the upload
    let app = spawn_app_with(|s| s.import_memory_mb = 1).await;
    let rep1 = app.user("rep1").await;
    let mut csv = String::from("公司名称,电话,备注\n");
    for i in 0..8_000 {
        csv.push_str(&format!(
            "上海内存测试{i}有限公司,1370000{i:04},{}\n",
            "备".repeat(100)
        ));
    }
    assert!(csv.len() > 2 << 20);
    assert_eq!(
        app::import::service::check(&app.state, &rep1, "me", "x.csv", csv.clone().into_bytes())
            .await,
        Err(AppError::validation("file", "too_complex"))
    );
    // the same file in a child with room reads fine, and the server was never touched
    let app = spawn_app_with(|_| {}).await;
    let rep1 = app.user("rep1").await;
    let id = app::import::service::check(&app.state, &rep1, "me", "x.csv", csv.into_bytes())
        .await
        .expect("checked");
    let v = app::import::service::view(&app.state, &rep1, &id)
        .await
        .unwrap();
    assert_eq!(v.status, "checked");
}

/// The generated workbooks of the property test above, posted to the upload
/// endpoint as a signed-in rep: every answer is a redirect to the checked
/// batch or a 4xx with the form, never a 5xx, and the server keeps answering.
#[tokio::test]
async fn generated_workbooks_posted_to_the_upload_endpoint_never_get_a_5xx() {
    use proptest::strategy::{Strategy, ValueTree};
    let app = crate::helpers::spawn_app().await;
    let rep = app.signed_in("rep1").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let strategy = (
        proptest::collection::vec((0u32..1_048_576, 0u32..16_384), 0..4),
        proptest::option::of(0u64..u64::MAX),
        proptest::bool::ANY,
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for case in 0..12 {
        let (cells, declared, inflate) = strategy.new_tree(&mut runner).unwrap().current();
        let book = generated_workbook(&cells, declared, inflate, None);
        let form = reqwest::multipart::Form::new().text("target", "me").part(
            "file",
            reqwest::multipart::Part::bytes(book).file_name("生成.xlsx"),
        );
        let r = http
            .post(format!("{}/import/check", app.base))
            .header("cookie", rep.cookie().unwrap())
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert!(
            status == StatusCode::SEE_OTHER || status.is_client_error(),
            "case {case} ({cells:?}, {declared:?}, {inflate}): {status}"
        );
        let (health, _) = app.client().get("/healthz").await;
        assert_eq!(health, StatusCode::OK, "case {case}");
    }
}
