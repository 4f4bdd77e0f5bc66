//! Admin server functions for departments and users. Boss and admin only.

use crate::error::AppError;
use crate::people::model::{Department, UserSummary};
use leptos::prelude::*;

#[server(endpoint = "departments")]
pub async fn list_departments() -> Result<Vec<Department>, AppError> {
    server::list_departments().await
}

/// Creates a department (empty `id`) or updates one. Empty `parent_id`/`head_id` mean none.
#[server(endpoint = "save_department")]
pub async fn save_department(
    id: String,
    name: String,
    parent_id: String,
    head_id: String,
) -> Result<String, AppError> {
    server::save_department(id, name, parent_id, head_id).await
}

#[server(endpoint = "users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    server::list_users().await
}

#[server(endpoint = "create_user")]
pub async fn create_user(
    login: String,
    name: String,
    role: String,
    department_id: String,
    password: String,
) -> Result<String, AppError> {
    server::create_user(login, name, role, department_id, password).await
}

/// Edits name and role and moves the user to another department.
#[server(endpoint = "update_user")]
pub async fn update_user(
    id: String,
    name: String,
    role: String,
    department_id: String,
) -> Result<(), AppError> {
    server::update_user(id, name, role, department_id).await
}

/// `active = "false"` deactivates (a person who left), `"true"` brings them back.
#[server(endpoint = "set_user_active")]
pub async fn set_user_active(id: String, active: bool) -> Result<(), AppError> {
    server::set_user_active(id, active).await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use crate::auth::model::Role;
    use crate::auth::repo::{find_user, NewUser};
    use crate::auth::rules::{check_password, normalize_login, normalize_name};
    use crate::auth::session::{hash_password, require_admin};
    use crate::error::{AppError, AppResult};
    use crate::people::model::{Department, UserSummary};
    use crate::people::repo::{self, DepartmentInput, UserUpdate};
    use crate::people::rules::{check_deactivation, check_role_grant, would_create_cycle};
    use crate::state::app_state;

    fn non_empty(s: String) -> Option<String> {
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    }

    fn parse_role(role: &str) -> AppResult<Role> {
        Role::parse(role.trim()).ok_or_else(|| AppError::validation("role", "unknown_role"))
    }

    pub async fn list_departments() -> AppResult<Vec<Department>> {
        require_admin().await?;
        repo::list_departments(&app_state()?.db).await
    }

    pub async fn save_department(
        id: String,
        name: String,
        parent_id: String,
        head_id: String,
    ) -> AppResult<String> {
        let actor = require_admin().await?;
        let db = app_state()?.db;
        let name = normalize_name(&name).map_err(|c| AppError::validation("name", c))?;
        let id = non_empty(id);
        let parent_id = non_empty(parent_id);
        if let Some(dept) = &id {
            let parents = repo::parent_map(&db).await?;
            if !parents.contains_key(dept) {
                return Err(AppError::NotFound);
            }
            if would_create_cycle(&parents, dept, parent_id.as_deref()) {
                return Err(AppError::validation("parent_id", "department_cycle"));
            }
        }
        let input = DepartmentInput {
            name,
            parent_id,
            head_id: non_empty(head_id),
        };
        repo::save_department(&db, &actor.id, id.as_deref(), input).await
    }

    pub async fn list_users() -> AppResult<Vec<UserSummary>> {
        require_admin().await?;
        repo::list_users(&app_state()?.db).await
    }

    pub async fn create_user(
        login: String,
        name: String,
        role: String,
        department_id: String,
        password: String,
    ) -> AppResult<String> {
        let actor = require_admin().await?;
        let login = normalize_login(&login).map_err(|c| AppError::validation("login", c))?;
        let name = normalize_name(&name).map_err(|c| AppError::validation("name", c))?;
        let role = parse_role(&role)?;
        check_role_grant(actor.role, role).map_err(|c| AppError::validation("role", c))?;
        let department_id = non_empty(department_id)
            .ok_or_else(|| AppError::validation("department_id", "required"))?;
        check_password(&password).map_err(|c| AppError::validation("password", c))?;
        let user = NewUser {
            login,
            name,
            role,
            department_id,
            password_hash: hash_password(password).await?,
        };
        repo::create_user(&app_state()?.db, Some(&actor.id), user).await
    }

    pub async fn update_user(
        id: String,
        name: String,
        role: String,
        department_id: String,
    ) -> AppResult<()> {
        let actor = require_admin().await?;
        let db = app_state()?.db;
        let name = normalize_name(&name).map_err(|c| AppError::validation("name", c))?;
        let role = parse_role(&role)?;
        let (target, _) = find_user(&db, &id).await?.ok_or(AppError::NotFound)?;
        if target.role != role {
            check_role_grant(actor.role, role).map_err(|c| AppError::validation("role", c))?;
            // Taking admin away is granting in reverse: only an admin may, and never
            // from the last one.
            if target.role == Role::Admin {
                check_role_grant(actor.role, Role::Admin)
                    .map_err(|c| AppError::validation("role", c))?;
                check_deactivation(
                    &actor.id,
                    &id,
                    target.role,
                    repo::count_active_admins(&db).await?,
                )
                .map_err(|c| AppError::validation("role", c))?;
            }
        }
        let department_id = non_empty(department_id)
            .ok_or_else(|| AppError::validation("department_id", "required"))?;
        let update = UserUpdate {
            name,
            role,
            department_id,
        };
        repo::update_user(&db, &actor.id, &id, update).await
    }

    pub async fn set_user_active(id: String, active: bool) -> AppResult<()> {
        let actor = require_admin().await?;
        let db = app_state()?.db;
        let (target, _) = find_user(&db, &id).await?.ok_or(AppError::NotFound)?;
        if !active {
            check_deactivation(
                &actor.id,
                &id,
                target.role,
                repo::count_active_admins(&db).await?,
            )
            .map_err(|c| AppError::validation("active", c))?;
            if target.role == Role::Admin && actor.role != Role::Admin {
                return Err(AppError::Forbidden);
            }
        }
        repo::set_active(&db, &actor.id, &id, active).await
    }
}
