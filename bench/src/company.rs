//! The generated company the load generators share: departments of 20 (a
//! manager and 19 reps) written into the real tables, and a query helper.

use serde_json::{json, Value};

/// The reps, managers and departments of the generated company.
pub struct Company {
    /// (user id, department id, name)
    pub reps: Vec<(String, String, String)>,
    pub managers: Vec<(String, String)>,
    pub departments: Vec<String>,
}

/// JSON nulls left out, so that SurrealQL reads the missing fields as NONE.
fn strip(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip).collect()),
        other => other,
    }
}

pub async fn run(db: &app::db::Db, sql: &str, binds: Value) {
    let mut q = db.query(sql);
    if let Value::Object(map) = strip(binds) {
        for (k, v) in map {
            q = q.bind((k, v));
        }
    }
    q.await
        .and_then(|r| r.check())
        .unwrap_or_else(|e| panic!("{e}\n{}", &sql[..sql.len().min(300)]));
}

/// P people in departments of 20 (written when `create`, else only named).
pub async fn company(db: &app::db::Db, people: usize, create: bool) -> Company {
    let mut c = Company {
        reps: Vec::new(),
        managers: Vec::new(),
        departments: Vec::new(),
    };
    for d in 0..people.div_ceil(20) {
        let dept = format!("pd{d}");
        let manager = format!("pm{d}");
        let reps: Vec<String> = (0..19)
            .filter(|r| d * 20 + 1 + r < people)
            .map(|r| format!("pr{d}x{r}"))
            .collect();
        // everyone signs in with the demo password (rep1's hash)
        if create {
            run(
            db,
            "LET $hash = (SELECT VALUE password_hash FROM user WHERE login = 'rep1')[0];
             CREATE type::record('department', $d) CONTENT { name: $name, parent: NONE, head: NONE };
             CREATE type::record('user', $m) CONTENT {
                 login: $m, name: $mname, role: 'manager', department: type::record('department', $d),
                 active: true, password_hash: $hash, language: 'zh-CN', joined_on: '2020-01-01',
             };
             UPDATE type::record('department', $d) SET head = type::record('user', $m);
             FOR $r IN $reps {
                 CREATE type::record('user', $r) CONTENT {
                     login: $r, name: '销售' + $r, role: 'rep', department: type::record('department', $d),
                     active: true, password_hash: $hash, language: 'zh-CN', joined_on: '2020-01-01',
                 };
             };",
            json!({"d": dept, "name": format!("销售{d}部"), "m": manager, "mname": format!("经理{d}"), "reps": reps}),
        )
        .await;
        }
        c.managers.push((manager, dept.clone()));
        for r in reps {
            let name = format!("销售{r}");
            c.reps.push((r, dept.clone(), name));
        }
        c.departments.push(dept);
    }
    c
}
