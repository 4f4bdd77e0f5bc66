use crate::auth::api::{needs_setup, whoami, Login, Setup};
use crate::auth::language::LangSwitch;
use crate::i18n::*;
use crate::ui::{action_error, FieldError, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Sign-in page. Works as a plain HTML form before (or without) the WASM.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = Resource::new(
        || (),
        |_| async move {
            let user = whoami().await?;
            let setup = needs_setup().await?;
            Ok::<_, crate::error::AppError>((user.is_some(), setup))
        },
    );
    let login = ServerAction::<Login>::new();
    let err = action_error(login);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match state.await {
                    Ok((true, _)) => view! { <Redirect path="/feed" /> }.into_any(),
                    Ok((_, true)) => view! { <Redirect path="/setup" /> }.into_any(),
                    _ => view! {
                        <section class="auth-page">
                            <div class="auth-brand">
                                <div class="logo">"BPC"</div>
                                <h1>{t!(i18n, app_name)}</h1>
                                <p class="muted">{t!(i18n, app_tagline)}</p>
                            </div>
                            <ActionForm action=login attr:class="card form" attr:data-testid="login-form">
                                <h2>{t!(i18n, login_title)}</h2>
                                <FormError err fields=&["login", "password"] />
                                <label>
                                    <span>{t!(i18n, login_login)}</span>
                                    <input name="login" autocomplete="username" autocapitalize="none" required />
                                </label>
                                <FieldError err field="login" />
                                <label>
                                    <span>{t!(i18n, login_password)}</span>
                                    <input name="password" type="password" autocomplete="current-password" required />
                                </label>
                                <FieldError err field="password" />
                                <button type="submit" class="primary" disabled=move || login.pending().get()>
                                    {t!(i18n, login_submit)}
                                </button>
                            </ActionForm>
                            <LangSwitch />
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One-time setup of an empty installation.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let needed = Resource::new(|| (), |_| needs_setup());
    let setup = ServerAction::<Setup>::new();
    let err = action_error(setup);
    const FIELDS: &[&str] = &["company", "name", "login", "password", "confirm"];
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match needed.await {
                    Ok(false) => view! { <Redirect path="/login" /> }.into_any(),
                    _ => view! {
                        <section class="auth-page">
                            <div class="auth-brand">
                                <div class="logo">"BPC"</div>
                                <h1>{t!(i18n, setup_title)}</h1>
                                <p class="muted">{t!(i18n, setup_intro)}</p>
                            </div>
                            <ActionForm action=setup attr:class="card form" attr:data-testid="setup-form">
                                <FormError err fields=FIELDS />
                                <label><span>{t!(i18n, setup_company)}</span><input name="company" required /></label>
                                <FieldError err field="company" />
                                <label><span>{t!(i18n, setup_name)}</span><input name="name" required /></label>
                                <FieldError err field="name" />
                                <label><span>{t!(i18n, login_login)}</span><input name="login" autocomplete="username" autocapitalize="none" required /></label>
                                <FieldError err field="login" />
                                <label>
                                    <span>{t!(i18n, login_password)}</span>
                                    <input name="password" type="password" autocomplete="new-password" required />
                                    <small class="muted">{t!(i18n, password_hint)}</small>
                                </label>
                                <FieldError err field="password" />
                                <label><span>{t!(i18n, field_confirm_password)}</span><input name="confirm" type="password" autocomplete="new-password" required /></label>
                                <FieldError err field="confirm" />
                                <button type="submit" class="primary" disabled=move || setup.pending().get()>
                                    {t!(i18n, setup_submit)}
                                </button>
                            </ActionForm>
                            <LangSwitch />
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
