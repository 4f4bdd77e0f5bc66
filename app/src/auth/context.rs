//! The signed-in user as pages see it: loaded once by the frame, read by every
//! page below it; and the name of a role in the page's language.

use crate::auth::model::{CurrentUser, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::Loading;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The signed-in user, loaded once by the shell and read by every page below it.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

pub fn use_user() -> UserResource {
    expect_context::<UserResource>()
}

/// Renders `view` with the signed-in user once known (pages below the shell).
#[component]
pub fn WithUser<V, F>(view: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let user = use_user().0;
    view! {
        <Suspense fallback=Loading>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => Some(view(u).into_any()),
                        _ => None,
                    }
                })
            }}
        </Suspense>
    }
}

pub fn role_label(i18n: I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Rep => t_string!(i18n, role_rep).to_string(),
        Role::Manager => t_string!(i18n, role_manager).to_string(),
        Role::Boss => t_string!(i18n, role_boss).to_string(),
        Role::Admin => t_string!(i18n, role_admin).to_string(),
    }
}
