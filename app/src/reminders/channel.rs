//! Where an unacknowledged reminder escalates to (seed 001: an SMS). A trait, so
//! an SMS gateway can be added beside the two here: the log (default) and e-mail
//! over SMTP (`lettre`) when `BPC_SMTP_URL` is set.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// One escalated reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub login: String,
    pub name: String,
    pub phone: Option<String>,
    pub title: String,
    pub content: String,
}

pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait Channel: Send + Sync {
    fn name(&self) -> &'static str;
    fn send<'a>(&'a self, e: &'a Escalation) -> Sending<'a>;
}

/// Writes the escalation to the server log.
pub struct LogChannel;

impl Channel for LogChannel {
    fn name(&self) -> &'static str {
        "log"
    }
    fn send<'a>(&'a self, e: &'a Escalation) -> Sending<'a> {
        Box::pin(async move {
            tracing::warn!(login = %e.login, title = %e.title, "reminder not acknowledged: escalated");
            Ok(())
        })
    }
}

/// Keeps what it was asked to send (tests, and a view of the last escalations).
#[derive(Default, Clone)]
pub struct MemoryChannel {
    pub sent: Arc<Mutex<Vec<Escalation>>>,
}

impl Channel for MemoryChannel {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn send<'a>(&'a self, e: &'a Escalation) -> Sending<'a> {
        Box::pin(async move {
            self.sent.lock().map_err(|e| e.to_string())?.push(e.clone());
            Ok(())
        })
    }
}

/// E-mail over SMTP. The address comes from a template with `{login}`
/// (`BPC_SMTP_TO`, e.g. `{login}@example.com`).
pub struct SmtpChannel {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
    to_template: String,
}

impl SmtpChannel {
    /// `url`: `smtp://host:25`, `smtps://user:pass@host` or `smtp://…?tls=required`.
    pub fn new(url: &str, from: &str, to_template: &str) -> Result<SmtpChannel, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| e.to_string())?
            .build();
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| e.to_string())?;
        if !to_template.contains("{login}") {
            return Err("BPC_SMTP_TO must contain {login}".into());
        }
        Ok(SmtpChannel {
            transport,
            from,
            to_template: to_template.to_string(),
        })
    }
}

impl Channel for SmtpChannel {
    fn name(&self) -> &'static str {
        "smtp"
    }
    fn send<'a>(&'a self, e: &'a Escalation) -> Sending<'a> {
        use lettre::AsyncTransport;
        Box::pin(async move {
            let to = self.to_template.replace("{login}", &e.login);
            let message = lettre::Message::builder()
                .from(self.from.clone())
                .to(to
                    .parse()
                    .map_err(|x: lettre::address::AddressError| x.to_string())?)
                .subject(format!("[BPC] {}", e.title))
                .body(e.content.clone())
                .map_err(|x| x.to_string())?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|x| x.to_string())
        })
    }
}
