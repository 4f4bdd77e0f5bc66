//! SurrealDB access for departments and users. Every value is bound, never formatted
//! into the query text; multi-step writes run in one transaction.

use crate::auth::model::Role;
use crate::auth::repo::{parse_role, NewUser, UserRow, USER_FIELDS};
use crate::db::{checked, new_key, Db};
use crate::error::AppResult;
use crate::people::model::{Department, UserSummary};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

impl UserRow {
    fn into_summary(self) -> AppResult<UserSummary> {
        Ok(UserSummary {
            role: parse_role(&self.role)?,
            id: self.id,
            login: self.login,
            name: self.name,
            department_id: self.department_id,
            department_name: self.department_name.unwrap_or_default(),
            phone: self.phone,
            active: self.active,
        })
    }
}

pub async fn list_users(db: &Db) -> AppResult<Vec<UserSummary>> {
    let sql = format!("SELECT {USER_FIELDS} FROM user ORDER BY active DESC, login");
    let mut resp = checked(db.query(sql).await?)?;
    let rows: Vec<UserRow> = resp.take(0)?;
    rows.into_iter().map(UserRow::into_summary).collect()
}

pub async fn count_active_admins(db: &Db) -> AppResult<usize> {
    let mut resp = checked(
        db.query("RETURN count(SELECT id FROM user WHERE role = 'admin' AND active = true)")
            .await?,
    )?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0).max(0) as usize)
}

#[derive(Debug, SurrealValue)]
struct DepartmentRow {
    id: String,
    name: String,
    parent_id: Option<String>,
    head_id: Option<String>,
    head_name: Option<String>,
    member_count: i64,
}

pub async fn list_departments(db: &Db) -> AppResult<Vec<Department>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, name, \
               (IF parent != NONE THEN record::id(parent) END) AS parent_id, \
               (IF head != NONE THEN record::id(head) END) AS head_id, \
               head.name AS head_name, \
               count(SELECT id FROM user WHERE department = $parent.id AND active = true) AS member_count \
             FROM department ORDER BY name",
        )
        .await?,
    )?;
    let rows: Vec<DepartmentRow> = resp.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| Department {
            id: r.id,
            name: r.name,
            parent_id: r.parent_id,
            head_id: r.head_id,
            head_name: r.head_name,
            member_count: r.member_count.max(0) as u32,
        })
        .collect())
}

/// Everything a department write needs, already validated.
pub struct DepartmentInput {
    pub name: String,
    pub parent_id: Option<String>,
    pub head_id: Option<String>,
}

/// Creates (`id = None`) or updates a department, with an audit entry.
pub async fn save_department(
    db: &Db,
    actor_id: &str,
    id: Option<&str>,
    input: DepartmentInput,
) -> AppResult<String> {
    let key = id.map(str::to_string).unwrap_or_else(new_key);
    let is_new = id.is_none();
    let resp = db
        .query(
            "BEGIN TRANSACTION;
             IF $parent != NONE AND record::exists(type::record('department', $parent)) = false {
                 THROW 'bpc:validation:parent_id:not_found';
             };
             IF $head != NONE {
                 LET $h = (SELECT active FROM type::record('user', $head))[0];
                 IF $h = NONE OR $h.active = false { THROW 'bpc:validation:head_id:not_found'; };
             };
             IF $is_new {
                 CREATE type::record('department', $key) CONTENT {
                     name: $name,
                     parent: IF $parent != NONE THEN type::record('department', $parent) END,
                     head: IF $head != NONE THEN type::record('user', $head) END,
                 };
             } ELSE {
                 IF record::exists(type::record('department', $key)) = false { THROW 'bpc:notfound'; };
                 UPDATE type::record('department', $key) SET
                     name = $name,
                     parent = IF $parent != NONE THEN type::record('department', $parent) END,
                     head = IF $head != NONE THEN type::record('user', $head) END;
             };
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor),
                 action: IF $is_new THEN 'department.create' ELSE 'department.update' END,
                 target: type::record('department', $key),
                 detail: { name: $name, parent: $parent, head: $head },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("is_new", is_new))
        .bind(("name", input.name))
        .bind(("parent", input.parent_id))
        .bind(("head", input.head_id))
        .bind(("actor", actor_id.to_string()))
        .await?;
    checked(resp)?;
    Ok(key)
}

/// Creates a user. A taken login is a `Conflict { login_taken }`; the UNIQUE index on
/// `login` still guards the race between two simultaneous creations.
pub async fn create_user(db: &Db, actor_id: Option<&str>, user: NewUser) -> AppResult<String> {
    let key = new_key();
    let resp = db
        .query(
            "BEGIN TRANSACTION;
             IF (SELECT id FROM user WHERE login = $login LIMIT 1)[0] != NONE {
                 THROW 'bpc:conflict:login_taken';
             };
             IF record::exists(type::record('department', $dept)) = false {
                 THROW 'bpc:validation:department_id:not_found';
             };
             CREATE type::record('user', $key) CONTENT {
                 login: $login,
                 name: $name,
                 role: $role,
                 department: type::record('department', $dept),
                 password_hash: $hash,
                 language: 'zh-CN',
                 active: true,
             };
             CREATE audit_log CONTENT {
                 actor: IF $actor != NONE THEN type::record('user', $actor) END,
                 action: 'user.create',
                 target: type::record('user', $key),
                 detail: { login: $login, role: $role, department: $dept },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("login", user.login))
        .bind(("name", user.name))
        .bind(("role", user.role.as_str()))
        .bind(("dept", user.department_id))
        .bind(("hash", user.password_hash))
        .bind(("actor", actor_id.map(str::to_string)))
        .await?;
    checked(resp)?;
    Ok(key)
}

pub struct UserUpdate {
    pub name: String,
    pub role: Role,
    pub department_id: String,
}

pub async fn update_user(db: &Db, actor_id: &str, id: &str, update: UserUpdate) -> AppResult<()> {
    let resp = db
        .query(
            "BEGIN TRANSACTION;
             LET $before = (SELECT role, department FROM type::record('user', $id))[0];
             IF $before = NONE { THROW 'bpc:notfound'; };
             IF record::exists(type::record('department', $dept)) = false {
                 THROW 'bpc:validation:department_id:not_found';
             };
             UPDATE type::record('user', $id) SET
                 name = $name, role = $role, department = type::record('department', $dept);
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor),
                 action: 'user.update',
                 target: type::record('user', $id),
                 detail: {
                     name: $name,
                     role_before: $before.role, role: $role,
                     department_before: record::id($before.department), department: $dept,
                 },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.to_string()))
        .bind(("name", update.name))
        .bind(("role", update.role.as_str()))
        .bind(("dept", update.department_id))
        .bind(("actor", actor_id.to_string()))
        .await?;
    checked(resp)?;
    Ok(())
}

/// Deactivates or reactivates a user (users are never deleted).
pub async fn set_active(db: &Db, actor_id: &str, id: &str, active: bool) -> AppResult<()> {
    let resp = db
        .query(
            "BEGIN TRANSACTION;
             IF record::exists(type::record('user', $id)) = false { THROW 'bpc:notfound'; };
             UPDATE type::record('user', $id) SET
                 active = $active,
                 deactivated_at = IF $active THEN NONE ELSE time::now() END;
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor),
                 action: IF $active THEN 'user.reactivate' ELSE 'user.deactivate' END,
                 target: type::record('user', $id),
                 detail: {},
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.to_string()))
        .bind(("active", active))
        .bind(("actor", actor_id.to_string()))
        .await?;
    checked(resp)?;
    Ok(())
}

pub async fn update_profile(
    db: &Db,
    id: &str,
    name: String,
    phone: Option<String>,
) -> AppResult<()> {
    let resp = db
        .query("UPDATE type::record('user', $id) SET name = $name, phone = $phone")
        .bind(("id", id.to_string()))
        .bind(("name", name))
        .bind(("phone", phone))
        .await?;
    checked(resp)?;
    Ok(())
}

/// Department ids to their parents: the input of the tree rules.
pub async fn parent_map(db: &Db) -> AppResult<std::collections::HashMap<String, Option<String>>> {
    #[derive(Debug, SurrealValue)]
    struct Link {
        id: String,
        parent_id: Option<String>,
    }
    // Only the links: no heads, no member counts.
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, \
               (IF parent != NONE THEN record::id(parent) END) AS parent_id FROM department",
        )
        .await?,
    )?;
    let links: Vec<Link> = resp.take(0)?;
    Ok(links.into_iter().map(|l| (l.id, l.parent_id)).collect())
}

/// The local day someone started (shown on their profile; their first two weeks
/// are marked on their curves).
pub async fn set_joined(db: &Db, id: &str, day: chrono::NaiveDate) -> AppResult<()> {
    checked(
        db.query("UPDATE type::record('user', $id) SET joined_on = $day RETURN NONE")
            .bind(("id", id.to_string()))
            .bind(("day", day.format("%Y-%m-%d").to_string()))
            .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub department: String,
    pub department_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub joined_on: Option<String>,
}

/// Everyone active, by name (read through [`crate::people::cache::PeopleCache`]).
pub async fn active_people(db: &Db) -> AppResult<Vec<PersonRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, name, role, record::id(department) AS department,
                    department.name AS department_name, created_at, joined_on
             FROM user WHERE active = true ORDER BY name",
        )
        .await?,
    )?;
    Ok(resp.take(0)?)
}
