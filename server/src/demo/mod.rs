//! The demo company (`--demo`): a boss, an admin, two sales departments each with a
//! manager and four reps, all with the password [`DEMO_PASSWORD`]. Loaded once: a
//! restart finds the `meta:demo` marker (or existing users) and leaves data alone.

pub mod file;
pub mod history;
pub mod words;

use app::auth::model::Role;
use app::auth::repo::{bootstrap_company, count_users, NewUser};
use app::auth::session::hash_password;
use app::db::Db;
use app::error::AppResult;
use app::people::repo::{self, DepartmentInput};

pub const DEMO_PASSWORD: &str = "demo1234";

/// (login, name, role, department index: 0 = company, 1 and 2 = sales departments)
pub const DEMO_PEOPLE: &[(&str, &str, Role, usize)] = &[
    ("admin", "系统管理员", Role::Admin, 0),
    ("boss", "赵总", Role::Boss, 0),
    ("manager1", "钱经理", Role::Manager, 1),
    ("rep1", "孙小伟", Role::Rep, 1),
    ("rep2", "李娜", Role::Rep, 1),
    ("rep3", "周强", Role::Rep, 1),
    ("rep4", "吴敏", Role::Rep, 1),
    ("manager2", "郑经理", Role::Manager, 2),
    ("rep5", "王磊", Role::Rep, 2),
    ("rep6", "冯婷", Role::Rep, 2),
    ("rep7", "陈刚", Role::Rep, 2),
    ("rep8", "褚云", Role::Rep, 2),
];

/// Returns true when it loaded the demo now, false when data already existed.
pub async fn load_demo(db: &Db) -> AppResult<bool> {
    if count_users(db).await? > 0 {
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD.to_string()).await?;
    // department index → name: 0 = the company, 1 and 2 = the sales departments
    let names = ["演示公司", "销售一部", "销售二部"];
    // The first user is the company's administrator, created with the root
    // department exactly as the setup page would.
    let (admin_login, admin_name, _, _) = DEMO_PEOPLE[0];
    let (company, admin_id) = bootstrap_company(
        db,
        names[0].to_string(),
        NewUser {
            login: admin_login.into(),
            name: admin_name.into(),
            role: Role::Admin,
            department_id: String::new(),
            password_hash: hash.clone(),
        },
    )
    .await?;
    let mut departments = vec![company.clone()];
    for name in &names[1..] {
        let input = DepartmentInput {
            name: name.to_string(),
            parent_id: Some(company.clone()),
            head_id: None,
        };
        departments.push(repo::save_department(db, &admin_id, None, input).await?);
    }
    let mut heads = Vec::new();
    for &(login, name, role, dept) in &DEMO_PEOPLE[1..] {
        let user = NewUser {
            login: login.into(),
            name: name.into(),
            role,
            department_id: departments[dept].clone(),
            password_hash: hash.clone(),
        };
        let id = repo::create_user(db, Some(&admin_id), user).await?;
        if matches!(role, Role::Boss | Role::Manager) {
            heads.push((dept, id));
        }
    }
    for (dept, head) in heads {
        let name = match dept {
            0 => "演示公司",
            1 => "销售一部",
            _ => "销售二部",
        };
        let parent = (dept != 0).then(|| company.clone());
        let input = DepartmentInput {
            name: name.into(),
            parent_id: parent,
            head_id: Some(head),
        };
        repo::save_department(db, &admin_id, Some(&departments[dept]), input).await?;
    }
    db.query("UPSERT meta:demo SET at = time::now()")
        .await?
        .check()?;
    Ok(true)
}
