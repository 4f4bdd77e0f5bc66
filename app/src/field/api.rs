//! Server functions for field work. Check-ins and follow-ups arrive as multipart
//! forms (photos), from the page's script or its offline queue, or as a plain
//! form post without JavaScript.

use crate::error::AppError;
use crate::field::model::{CheckinOutcome, NearbyCustomer};
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
pub(crate) mod form {
    use crate::error::AppError;
    use crate::photos::MAX_PHOTO_BYTES;
    use bytes::{Bytes, BytesMut};
    use leptos::server_fn::codec::MultipartData;
    use std::collections::HashMap;

    /// The text fields and photos of a multipart post. A photo over the size
    /// limit is refused while it streams, before it is all in memory.
    pub async fn read(
        data: MultipartData,
    ) -> Result<(HashMap<String, String>, Vec<Bytes>), AppError> {
        let mut data = data
            .into_inner()
            .ok_or_else(|| AppError::validation("request", "invalid"))?;
        let mut fields = HashMap::new();
        let mut photos = Vec::new();
        loop {
            let field = match data.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(AppError::validation("request", "invalid")),
            };
            let name = field.name().unwrap_or_default().to_string();
            if name == "photos" {
                // an empty file input still sends a part without a file name
                if field.file_name().is_none_or(str::is_empty) {
                    continue;
                }
                let mut field = field;
                let mut buf = BytesMut::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|_| AppError::validation("photos", "invalid"))?
                {
                    if buf.len() + chunk.len() > MAX_PHOTO_BYTES {
                        return Err(AppError::validation("photos", "too_large"));
                    }
                    buf.extend_from_slice(&chunk);
                }
                if !buf.is_empty() {
                    photos.push(buf.freeze());
                }
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|_| AppError::validation(&name, "invalid"))?;
                if text.len() > 10_000 {
                    return Err(AppError::validation(&name, "too_long"));
                }
                fields.insert(name, text);
            }
        }
        Ok((fields, photos))
    }

    /// A browser posting the form itself (no script) wants a page back.
    pub async fn wants_page() -> bool {
        leptos_axum::extract::<axum::http::HeaderMap>()
            .await
            .ok()
            .and_then(|h| h.get(axum::http::header::ACCEPT).cloned())
            .and_then(|v| v.to_str().ok().map(str::to_string))
            .is_none_or(|v| !v.contains("application/json"))
    }
}

#[server(input = MultipartFormData, endpoint = "checkin")]
pub async fn check_in(data: MultipartData) -> Result<CheckinOutcome, AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    let (mut f, photos) = form::read(data).await?;
    let mut take = |k: &str| f.remove(k).unwrap_or_default();
    let input = crate::field::service::CheckinForm {
        key: take("key"),
        customer: take("customer"),
        purpose: take("purpose"),
        lat: take("lat"),
        lng: take("lng"),
        accuracy: take("accuracy"),
        captured_at: take("captured_at"),
    };
    let outcome = crate::field::service::check_in(&state, &user, input, photos).await?;
    if form::wants_page().await {
        leptos_axum::redirect("/feed");
    }
    Ok(outcome)
}

#[server(input = MultipartFormData, endpoint = "followup")]
pub async fn follow_up(data: MultipartData) -> Result<(), AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    let (mut f, photos) = form::read(data).await?;
    let mut take = |k: &str| f.remove(k).unwrap_or_default();
    let (customer, key, text) = (take("customer"), take("key"), take("text"));
    crate::field::service::follow_up(&state, &user, &customer, &key, &text, photos).await?;
    if form::wants_page().await {
        leptos_axum::redirect(&format!("/customers/{customer}"));
    }
    Ok(())
}

/// The customers the user may check in at, nearest first when a position is given.
#[server(endpoint = "nearby")]
pub async fn nearby(
    #[server(default)] lat: Option<f64>,
    #[server(default)] lng: Option<f64>,
    #[server(default)] q: String,
) -> Result<Vec<NearbyCustomer>, AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::field::service::nearby(&state, &user, lat, lng, &q).await
}
