//! The sign-in side of the user table: credentials, the signed-in user, the
//! language, the company's first start. (The people feature manages users; it
//! reads rows through `UserRow` too.)

use crate::auth::model::{CurrentUser, Role};
use crate::db::{checked, new_key, Db};
use crate::error::{internal, AppResult};
use surrealdb::types::SurrealValue;

#[derive(Debug, SurrealValue)]
pub(crate) struct UserRow {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) department_id: String,
    pub(crate) department_name: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) language: String,
    pub(crate) active: bool,
}

pub(crate) const USER_FIELDS: &str = "record::id(id) AS id, login, name, role, \
    record::id(department) AS department_id, department.name AS department_name, \
    phone, language, active";

pub(crate) fn parse_role(s: &str) -> AppResult<Role> {
    Role::parse(s).ok_or_else(|| internal(format!("unknown role {s:?} in database")))
}

impl UserRow {
    pub(crate) fn into_current(self) -> AppResult<(CurrentUser, bool)> {
        Ok((
            CurrentUser {
                role: parse_role(&self.role)?,
                id: self.id,
                login: self.login,
                name: self.name,
                department_id: self.department_id,
                department_name: self.department_name.unwrap_or_default(),
                phone: self.phone,
                language: self.language,
            },
            self.active,
        ))
    }
}

pub async fn count_users(db: &Db) -> AppResult<i64> {
    let mut resp = checked(db.query("RETURN count(SELECT id FROM user)").await?)?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0))
}

/// The user with this id and whether they are active.
pub async fn find_user(db: &Db, id: &str) -> AppResult<Option<(CurrentUser, bool)>> {
    let sql = format!("SELECT {USER_FIELDS} FROM type::record('user', $id)");
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    let row: Option<UserRow> = resp.take(0)?;
    row.map(UserRow::into_current).transpose()
}

#[derive(Debug, SurrealValue)]
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
    pub active: bool,
}

pub async fn find_credentials(db: &Db, login: &str) -> AppResult<Option<Credentials>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, password_hash, active FROM user \
             WHERE login = $login LIMIT 1",
        )
        .bind(("login", login.to_string()))
        .await?,
    )?;
    let row: Option<Credentials> = resp.take(0)?;
    Ok(row)
}

/// Everything a new user needs, already validated; `password_hash` is argon2.
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub department_id: String,
    pub password_hash: String,
}

/// The user a session names, whether they are active, and the moment (unix
/// ms) before which their sessions are over (0: none cut).
pub async fn find_session_user(db: &Db, id: &str) -> AppResult<Option<(CurrentUser, bool, i64)>> {
    let sql = format!(
        "SELECT {USER_FIELDS} FROM type::record('user', $id);
         RETURN type::record('user', $id).sessions_after ?? 0;"
    );
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    let row: Option<UserRow> = resp.take(0)?;
    let cut: Option<i64> = resp.take(1)?;
    Ok(row
        .map(UserRow::into_current)
        .transpose()?
        .map(|(user, active)| (user, active, cut.unwrap_or(0))))
}

/// A new password; sessions that began before `now_ms` end (the caller's own
/// is started again).
pub async fn set_password_hash(db: &Db, id: &str, hash: String, now_ms: i64) -> AppResult<()> {
    let resp = db
        .query(
            "UPDATE type::record('user', $id) SET password_hash = $hash, sessions_after = $now;
             CREATE audit_log CONTENT {
                 actor: type::record('user', $id), action: 'user.password',
                 target: type::record('user', $id), detail: {},
             };",
        )
        .bind(("id", id.to_string()))
        .bind(("hash", hash))
        .bind(("now", now_ms))
        .await?;
    checked(resp)?;
    Ok(())
}

pub async fn set_language(db: &Db, id: &str, language: &str) -> AppResult<()> {
    let resp = db
        .query("UPDATE type::record('user', $id) SET language = $lang")
        .bind(("id", id.to_string()))
        .bind(("lang", language.to_string()))
        .await?;
    checked(resp)?;
    Ok(())
}

/// First start: the company's root department and its first administrator, created
/// once. The `meta:setup` record makes a second (or concurrent) setup fail.
pub async fn bootstrap_company(
    db: &Db,
    company: String,
    admin: NewUser,
) -> AppResult<(String, String)> {
    let dept = new_key();
    let user = new_key();
    let resp = db
        .query(
            "BEGIN TRANSACTION;
             IF record::exists(meta:setup) OR count(SELECT id FROM user) > 0 {
                 THROW 'bpc:conflict:already_set_up';
             };
             CREATE meta:setup CONTENT { at: time::now() };
             CREATE type::record('department', $dept) CONTENT { name: $company };
             CREATE type::record('user', $user) CONTENT {
                 login: $login, name: $name, role: 'admin',
                 department: type::record('department', $dept),
                 password_hash: $hash, language: 'zh-CN', active: true,
             };
             UPDATE type::record('department', $dept) SET head = type::record('user', $user);
             CREATE audit_log CONTENT {
                 actor: type::record('user', $user), action: 'company.setup',
                 target: type::record('department', $dept), detail: { company: $company },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("dept", dept.clone()))
        .bind(("user", user.clone()))
        .bind(("company", company))
        .bind(("login", admin.login))
        .bind(("name", admin.name))
        .bind(("hash", admin.password_hash))
        .await?;
    checked(resp)?;
    Ok((dept, user))
}
