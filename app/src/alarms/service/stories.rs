//! Success stories: the prompt a win leaves its rep, and the story written.

use super::*;

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn story_prompts(state: &AppState, user: &CurrentUser) -> AppResult<Vec<StoryPrompt>> {
    Ok(repo::open_prompts(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|p| StoryPrompt {
            customer_id: p.customer,
            customer_name: p.customer_name,
        })
        .collect())
}

/// Writes (or, with `dismiss`, declines) the story of a won customer.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn write_story(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    text: &str,
    dismiss: bool,
) -> AppResult<()> {
    let key = crate::customers::repo::valid_key(customer)?;
    let prompt = repo::prompt(&state.db, key)
        .await?
        .filter(|p| p.user == user.id)
        .ok_or(AppError::NotFound)?;
    if prompt.state != "open" {
        return Err(AppError::conflict("story_closed"));
    }
    let exp = if dismiss {
        None
    } else {
        let text = required("text", text)?;
        let subject = customers::alarm_subject(state, user, key).await;
        let (stage, stage_name, industry) = match subject {
            Ok(s) => (Some(s.stage), s.stage_name, s.industry),
            Err(_) => (None, String::new(), String::new()),
        };
        Some(entry_in(ExperienceIn {
            source: "won".into(),
            title: text,
            body: String::new(),
            stage,
            stage_name,
            industry,
            customer_name: prompt.customer_name.clone(),
            author_name: user.name.clone(),
            customer: Some(key.to_string()),
            ..Default::default()
        }))
    };
    let state_name = if dismiss { "dismissed" } else { "written" };
    if repo::close_prompt(&state.db, key, state_name, exp, state.now()).await? {
        Ok(())
    } else {
        Err(AppError::conflict("story_closed"))
    }
}
