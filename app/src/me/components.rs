use crate::auth::api::Logout;
use crate::auth::context::{role_label, WithUser};
use crate::auth::language::LangSwitch;
use crate::auth::model::CurrentUser;
use crate::i18n::*;
use crate::me::api::{ChangePassword, UpdateProfile};
use crate::ui::{action_error, FieldError, FormError};
use leptos::prelude::*;

#[component]
pub fn MePage() -> impl IntoView {
    view! { <WithUser view=|user| view! { <MeContent user /> } /> }
}

#[component]
fn MeContent(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let profile = ServerAction::<UpdateProfile>::new();
    let profile_err = action_error(profile);
    let password = ServerAction::<ChangePassword>::new();
    let password_err = action_error(password);
    let logout = ServerAction::<Logout>::new();
    let is_admin = user.role.can_administer();
    let role = user.role;
    view! {
        <section class="page">
            <h1>{t!(i18n, me_title)}</h1>

            <div class="card profile-head">
                <div class="avatar">{user.name.chars().next().map(String::from).unwrap_or_default()}</div>
                <div>
                    <strong data-testid="me-name">{user.name.clone()}</strong>
                    <p class="muted">
                        {move || role_label(i18n, role)} " · " {user.department_name.clone()} " · " {user.login.clone()}
                    </p>
                </div>
            </div>

            <a class="card link-card" href=format!("/people/{}", user.id) data-testid="my-curves-link">{t!(i18n, me_curves)}</a>
            <Show when=move || is_admin || role == crate::auth::model::Role::Boss>
                <a class="card link-card" href="/audit/views" data-testid="audit-link">{t!(i18n, audit_title)}</a>
            </Show>
            <Show when=move || is_admin>
                <a class="card link-card" href="/admin" data-testid="admin-link">{t!(i18n, admin_title)}</a>
            </Show>

            <ActionForm action=profile attr:class="card form">
                <h2>{t!(i18n, me_profile)}</h2>
                <FormError err=profile_err fields=&["name", "phone"] />
                <label><span>{t!(i18n, me_name)}</span><input name="name" value=user.name.clone() required /></label>
                <FieldError err=profile_err field="name" />
                <label><span>{t!(i18n, me_phone)}</span><input name="phone" type="tel" value=user.phone.clone().unwrap_or_default() /></label>
                <FieldError err=profile_err field="phone" />
                <button type="submit" disabled=move || profile.pending().get()>{t!(i18n, save)}</button>
                <Show when=move || matches!(profile.value().get(), Some(Ok(())))>
                    <p class="notice" role="status">{t!(i18n, saved)}</p>
                </Show>
            </ActionForm>

            <ActionForm action=password attr:class="card form">
                <h2>{t!(i18n, me_password_title)}</h2>
                <FormError err=password_err fields=&["current", "password", "confirm"] />
                <label><span>{t!(i18n, me_current_password)}</span><input name="current" type="password" autocomplete="current-password" required /></label>
                <FieldError err=password_err field="current" />
                <label>
                    <span>{t!(i18n, me_new_password)}</span>
                    <input name="password" type="password" autocomplete="new-password" required />
                    <small class="muted">{t!(i18n, password_hint)}</small>
                </label>
                <FieldError err=password_err field="password" />
                <label><span>{t!(i18n, field_confirm_password)}</span><input name="confirm" type="password" autocomplete="new-password" required /></label>
                <FieldError err=password_err field="confirm" />
                <button type="submit" disabled=move || password.pending().get()>{t!(i18n, me_change_password)}</button>
                <Show when=move || matches!(password.value().get(), Some(Ok(())))>
                    <p class="notice" role="status">{t!(i18n, me_password_changed)}</p>
                </Show>
            </ActionForm>

            <div class="card">
                <h2>{t!(i18n, me_language)}</h2>
                <LangSwitch />
            </div>

            <ActionForm action=logout attr:class="logout-form">
                <button type="submit" class="danger" data-testid="logout">{t!(i18n, logout)}</button>
            </ActionForm>
        </section>
    }
}
