//! Admin pages: the department tree and the people in it.

use crate::auth::api::whoami;
use crate::auth::context::role_label;
use crate::auth::model::Role;
use crate::error::AppError;
use crate::i18n::*;
use crate::people::api::{
    list_departments, list_users, CreateUser, SaveDepartment, SetUserActive, UpdateUser,
};
use crate::people::model::{Department, UserSummary};
use crate::people::rules::tree_order;
use crate::ui::{
    action_error, reload_on_success, Changes, ErrorBox, FieldError, FormError, Loading,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let changes = Changes::provide();
    let data = Resource::new(
        move || changes.0.get(),
        |_| async move {
            let me = whoami().await?.ok_or(AppError::Unauthorized)?;
            let depts = list_departments().await?;
            let users = list_users().await?;
            Ok::<_, AppError>((me.role, depts, users))
        },
    );
    view! {
        <section class="page admin">
            <h1>{t!(i18n, admin_title)}</h1>
            <a class="card link-card" href="/admin/funnel" data-testid="funnel-settings-link">{t!(i18n, funnel_settings_title)}</a>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((actor_role, depts, users)) => view! {
                            <Departments depts=depts.clone() users=users.clone() />
                            <People depts users actor_role />
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// `<option>`s for a department select, indented by depth.
fn department_options(
    depts: &[Department],
    selected: Option<String>,
    exclude: Option<String>,
) -> impl IntoView {
    tree_order(depts)
        .into_iter()
        .filter(|(d, _)| Some(&d.id) != exclude.as_ref())
        .map(|(d, depth)| {
            let label = format!("{}{}", "\u{3000}".repeat(depth), d.name);
            let is_selected = selected.as_deref() == Some(d.id.as_str());
            view! { <option value=d.id.clone() selected=is_selected>{label}</option> }
        })
        .collect_view()
}

fn head_options(users: &[UserSummary], selected: Option<String>) -> impl IntoView {
    users
        .iter()
        .filter(|u| u.active && u.role != Role::Rep)
        .map(|u| {
            let is_selected = selected.as_deref() == Some(u.id.as_str());
            view! { <option value=u.id.clone() selected=is_selected>{format!("{} ({})", u.name, u.login)}</option> }
        })
        .collect_view()
}

#[component]
fn Departments(depts: Vec<Department>, users: Vec<UserSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<SaveDepartment>::new();
    reload_on_success(create);
    let err = action_error(create);
    let rows = tree_order(&depts)
        .into_iter()
        .map(|(dept, depth)| view! { <DepartmentRow dept depth depts=depts.clone() users=users.clone() /> })
        .collect_view();
    view! {
        <h2>{t!(i18n, admin_departments)}</h2>
        <ul class="list" data-testid="department-list">{rows}</ul>
        <details class="card">
            <summary data-testid="new-department">{t!(i18n, dept_new)}</summary>
            <ActionForm action=create attr:class="form">
                <input type="hidden" name="id" value="" />
                <FormError err fields=&["name", "parent_id", "head_id"] />
                <label><span>{t!(i18n, dept_name)}</span><input name="name" required /></label>
                <FieldError err field="name" />
                <label>
                    <span>{t!(i18n, dept_parent)}</span>
                    <select name="parent_id">
                        <option value="">{t!(i18n, dept_top_level)}</option>
                        {department_options(&depts, None, None)}
                    </select>
                </label>
                <FieldError err field="parent_id" />
                <label>
                    <span>{t!(i18n, dept_head)}</span>
                    <select name="head_id">
                        <option value="">{t!(i18n, none)}</option>
                        {head_options(&users, None)}
                    </select>
                </label>
                <FieldError err field="head_id" />
                <button type="submit" class="primary" disabled=move || create.pending().get()>{t!(i18n, dept_create)}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn DepartmentRow(
    dept: Department,
    depth: usize,
    depts: Vec<Department>,
    users: Vec<UserSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveDepartment>::new();
    reload_on_success(save);
    let err = action_error(save);
    let style = format!("--depth:{depth}");
    view! {
        <li class="card row" style=style data-testid="department-row">
            <div class="row-main">
                <strong>{dept.name.clone()}</strong>
                <span class="muted">
                    {t!(i18n, dept_head)} ": " {dept.head_name.clone().unwrap_or_else(|| "—".into())}
                    " · " {t!(i18n, dept_members)} ": " {dept.member_count}
                </span>
            </div>
            <details>
                <summary>{t!(i18n, edit)}</summary>
                <ActionForm action=save attr:class="form">
                    <input type="hidden" name="id" value=dept.id.clone() />
                    <FormError err fields=&["name", "parent_id", "head_id"] />
                    <label><span>{t!(i18n, dept_name)}</span><input name="name" value=dept.name.clone() required /></label>
                    <FieldError err field="name" />
                    <label>
                        <span>{t!(i18n, dept_parent)}</span>
                        <select name="parent_id">
                            <option value="" selected=dept.parent_id.is_none()>{t!(i18n, dept_top_level)}</option>
                            {department_options(&depts, dept.parent_id.clone(), Some(dept.id.clone()))}
                        </select>
                    </label>
                    <FieldError err field="parent_id" />
                    <label>
                        <span>{t!(i18n, dept_head)}</span>
                        <select name="head_id">
                            <option value="" selected=dept.head_id.is_none()>{t!(i18n, none)}</option>
                            {head_options(&users, dept.head_id.clone())}
                        </select>
                    </label>
                    <FieldError err field="head_id" />
                    <button type="submit" disabled=move || save.pending().get()>{t!(i18n, save)}</button>
                </ActionForm>
            </details>
        </li>
    }
}

fn role_options(i18n: I18nContext<Locale>, actor: Role, selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .filter(move |r| *r != Role::Admin || actor == Role::Admin || selected == Role::Admin)
        .map(move |r| view! { <option value=r.as_str() selected=r == selected>{role_label(i18n, r)}</option> })
        .collect_view()
}

#[component]
fn People(depts: Vec<Department>, users: Vec<UserSummary>, actor_role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateUser>::new();
    reload_on_success(create);
    let err = action_error(create);
    const FIELDS: &[&str] = &["login", "name", "role", "department_id", "password"];
    let rows = users
        .into_iter()
        .map(|user| view! { <PersonRow user depts=depts.clone() actor_role /> })
        .collect_view();
    view! {
        <h2>{t!(i18n, admin_users)}</h2>
        <details class="card" data-testid="new-user-card">
            <summary data-testid="new-user">{t!(i18n, user_new)}</summary>
            <ActionForm action=create attr:class="form">
                <FormError err fields=FIELDS />
                <label><span>{t!(i18n, user_login)}</span><input name="login" autocapitalize="none" required /></label>
                <FieldError err field="login" />
                <label><span>{t!(i18n, user_name)}</span><input name="name" required /></label>
                <FieldError err field="name" />
                <label>
                    <span>{t!(i18n, user_role)}</span>
                    <select name="role">{role_options(i18n, actor_role, Role::Rep)}</select>
                </label>
                <FieldError err field="role" />
                <label>
                    <span>{t!(i18n, user_department)}</span>
                    <select name="department_id" required>
                        <option value="">{t!(i18n, choose)}</option>
                        {department_options(&depts, None, None)}
                    </select>
                </label>
                <FieldError err field="department_id" />
                <label>
                    <span>{t!(i18n, user_initial_password)}</span>
                    <input name="password" type="password" autocomplete="new-password" required />
                    <small class="muted">{t!(i18n, password_hint)}</small>
                </label>
                <FieldError err field="password" />
                <button type="submit" class="primary" disabled=move || create.pending().get()>{t!(i18n, user_create)}</button>
                <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                    <p class="notice" role="status">{t!(i18n, user_created)}</p>
                </Show>
            </ActionForm>
        </details>
        <ul class="list" data-testid="user-list">{rows}</ul>
    }
}

#[component]
fn PersonRow(user: UserSummary, depts: Vec<Department>, actor_role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateUser>::new();
    reload_on_success(update);
    let err = action_error(update);
    let toggle = ServerAction::<SetUserActive>::new();
    reload_on_success(toggle);
    let toggle_err = action_error(toggle);
    let active = user.active;
    let (id_for_update, id_for_toggle) = (user.id.clone(), user.id.clone());
    view! {
        <li class="card row" class:inactive=!active data-testid="user-row" data-login=user.login.clone()>
            <div class="row-main">
                <strong>{user.name.clone()}</strong>
                <span class="muted">
                    {user.login.clone()} " · " {role_label(i18n, user.role)} " · " {user.department_name.clone()}
                </span>
                <Show when=move || !active>
                    <span class="badge">{t!(i18n, user_inactive)}</span>
                </Show>
            </div>
            <details>
                <summary>{t!(i18n, edit)}</summary>
                <ActionForm action=update attr:class="form">
                    <input type="hidden" name="id" value=id_for_update />
                    <FormError err fields=&["name", "role", "department_id"] />
                    <label><span>{t!(i18n, user_name)}</span><input name="name" value=user.name.clone() required /></label>
                    <FieldError err field="name" />
                    <label>
                        <span>{t!(i18n, user_role)}</span>
                        <select name="role">{role_options(i18n, actor_role, user.role)}</select>
                    </label>
                    <FieldError err field="role" />
                    <label>
                        <span>{t!(i18n, user_department)}</span>
                        <select name="department_id">{department_options(&depts, Some(user.department_id.clone()), None)}</select>
                    </label>
                    <FieldError err field="department_id" />
                    <button type="submit" disabled=move || update.pending().get()>{t!(i18n, save)}</button>
                </ActionForm>
                <ActionForm action=toggle attr:class="form inline">
                    <input type="hidden" name="id" value=id_for_toggle />
                    <input type="hidden" name="active" value=(!active).to_string() />
                    <FormError err=toggle_err fields=&[] />
                    <button type="submit" class=if active { "danger" } else { "" } disabled=move || toggle.pending().get()>
                        {move || if active { t_string!(i18n, user_deactivate).to_string() } else { t_string!(i18n, user_reactivate).to_string() }}
                    </button>
                </ActionForm>
            </details>
        </li>
    }
}
