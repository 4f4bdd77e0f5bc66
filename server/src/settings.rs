//! Typed settings from environment variables, with defaults. A bad value stops
//! start-up with a message naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `BPC_LISTEN`: address to serve on.
    pub listen: SocketAddr,
    /// `DATABASE_URL`: `surrealkv://data/bpc.db` (embedded, default), `mem://` (tests),
    /// `ws://host:8000` (a SurrealDB server, e.g. on TiKV).
    pub database_url: String,
    /// `DATABASE_USER` / `DATABASE_PASS`: root credentials for a remote server.
    pub database_user: Option<String>,
    pub database_pass: Option<String>,
    /// `DATABASE_NS` / `DATABASE_DB`.
    pub database_ns: String,
    pub database_db: String,
    /// `BPC_TIMEZONE`: the company's time zone (IANA name).
    pub timezone: chrono_tz::Tz,
    /// `BPC_SITE_ROOT`: where the built WASM, CSS and static files are.
    pub site_root: String,
    /// `BPC_COOKIE_SECURE`: send the session cookie only over HTTPS (default true;
    /// browsers also accept it on http://localhost).
    pub cookie_secure: bool,
    /// `BPC_SESSION_HOURS`: a session ends after this long without activity.
    pub session_hours: u32,
    /// `BPC_LOGIN_WINDOW_SECS`, `BPC_LOGIN_MAX_PER_ACCOUNT`, `BPC_LOGIN_MAX_PER_IP`:
    /// failed-login limits.
    pub login_window_secs: u64,
    pub login_max_per_account: usize,
    pub login_max_per_ip: usize,
    /// `--demo` flag or `BPC_DEMO=true`: load the demo company on first start.
    pub demo: bool,
    /// `BPC_DEMO_HISTORY` (default true): the demo company comes with 90 days of
    /// generated history; `false` gives its people only.
    pub demo_history: bool,
    /// `BPC_SWEEP_SECS`: how often the confiscation sweeper runs (default 60; 0 = never,
    /// for tests that sweep by hand).
    pub sweep_secs: u64,
    /// `BPC_TEST_CLOCK=true`: serve `POST /test/clock?days=N`, which moves the app's
    /// clock forward. For browser tests only; never on a real deployment.
    pub test_clock: bool,
    /// `BPC_PHOTOS`: where check-in photos go: a directory (default `data/photos`),
    /// `s3://bucket[/prefix]` (credentials from the AWS_* variables), or `mem`.
    pub photos: String,
    /// `BPC_REMIND_ESCALATE_MINUTES`: an unacknowledged reminder escalates after this
    /// many minutes (default 10).
    pub escalate_after_minutes: i64,
    /// `BPC_ALARM_ESCALATE_HOURS`: a difficulty alarm with no answer after this many
    /// working hours (Monday–Friday 09:00–18:00, company time) tells the raiser's
    /// manager; after twice as many, the manager above or the boss (default 4).
    pub alarm_escalate_hours: i64,
    /// `BPC_SMTP_URL` (e.g. `smtps://user:pass@smtp.example.com`) and `BPC_SMTP_FROM`:
    /// escalations go out by e-mail when set, to the log otherwise.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    /// `BPC_SMTP_TO`: the address an escalation goes to, `{login}` replaced.
    pub smtp_to: String,
    /// `BPC_REMIND_SECS`: how often reminders are checked (default 15; 0 = never).
    pub remind_secs: u64,
    /// `BPC_VISIT_WRITERS`: check-ins and follow-ups written at once (default 16);
    /// the rest wait their turn instead of contending inside the database.
    pub visit_writers: usize,
    /// `BPC_METRICS_TOKEN`: serve Prometheus metrics at `/metrics` to a scraper
    /// presenting this bearer token (unset: no `/metrics`).
    pub metrics_token: Option<String>,
    /// `BPC_LOG_FORMAT`: `text` (default) or `json` (one JSON object per line).
    pub log_json: bool,
    /// The binary that parses uploaded spreadsheets in a child process
    /// (`bpc parse-import`): this server's own executable when started from
    /// the environment; `None` parses in the server process (bounded, but a
    /// failed allocation there would end the server).
    pub import_exe: Option<PathBuf>,
    /// `BPC_IMPORT_MEMORY_MB`: memory the parsing child may take beyond its
    /// start-up size (default 512).
    pub import_memory_mb: u64,
    /// `BPC_TRUSTED_PROXIES`: addresses or networks (`127.0.0.1,10.0.0.0/8`) of
    /// reverse proxies whose `X-Forwarded-For` names the client (default none:
    /// the socket's peer is the client).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `BPC_ORIGINS`: other origins (`https://crm.example.com`) allowed to send
    /// state-changing requests and open sockets, besides the `Host` asked for.
    pub origins: Vec<String>,
}

/// Comma-separated addresses (a single host) or networks; the bad entry on error.
fn parse_networks(v: &str) -> Result<Vec<ipnet::IpNet>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            e.parse::<ipnet::IpNet>()
                .or_else(|_| e.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| e.to_string())
        })
        .collect()
}

/// Comma-separated origins (`scheme://host[:port]`, no path); the bad entry on error.
fn parse_origins(v: &str) -> Result<Vec<String>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            let rest = e
                .strip_prefix("https://")
                .or_else(|| e.strip_prefix("http://"))
                .ok_or_else(|| e.to_string())?;
            if rest.is_empty() || rest.contains('/') {
                return Err(e.to_string());
            }
            Ok(e.trim_end_matches('/').to_ascii_lowercase())
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
#[error("invalid setting {var}={value:?}: {reason}")]
pub struct SettingsError {
    pub var: &'static str,
    pub value: String,
    pub reason: String,
}

impl Settings {
    /// Reads settings through `get` (the process environment in `main`, a map in tests).
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        args: &[String],
    ) -> Result<Settings, SettingsError> {
        fn parse<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            var: &'static str,
            default: T,
            reason: &str,
        ) -> Result<T, SettingsError> {
            match get(var) {
                None => Ok(default),
                Some(v) if v.trim().is_empty() => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| SettingsError {
                    var,
                    value: v.clone(),
                    reason: reason.to_string(),
                }),
            }
        }
        let text = |var: &str, default: &str| {
            get(var)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_string())
        };

        let database_url = text("DATABASE_URL", "surrealkv://data/bpc.db");
        let known = ["surrealkv://", "mem://", "memory", "ws://", "wss://"];
        if !known.iter().any(|p| database_url.starts_with(p)) {
            return Err(SettingsError {
                var: "DATABASE_URL",
                value: database_url,
                reason: "expected surrealkv://PATH, mem:// or ws://HOST:PORT".into(),
            });
        }
        let tz_name = text("BPC_TIMEZONE", "Asia/Shanghai");
        let timezone = tz_name
            .parse::<chrono_tz::Tz>()
            .map_err(|_| SettingsError {
                var: "BPC_TIMEZONE",
                value: tz_name.clone(),
                reason: "expected an IANA time zone such as Asia/Shanghai".into(),
            })?;
        let positive = "expected a positive whole number";
        let settings = Settings {
            listen: parse(
                &get,
                "BPC_LISTEN",
                SocketAddr::from(([127, 0, 0, 1], 3000)),
                "expected HOST:PORT such as 127.0.0.1:3000",
            )?,
            database_url,
            database_user: get("DATABASE_USER").filter(|v| !v.is_empty()),
            database_pass: get("DATABASE_PASS").filter(|v| !v.is_empty()),
            database_ns: text("DATABASE_NS", "bpc"),
            database_db: text("DATABASE_DB", "bpc"),
            timezone,
            site_root: text("BPC_SITE_ROOT", "target/site"),
            cookie_secure: parse(&get, "BPC_COOKIE_SECURE", true, "expected true or false")?,
            session_hours: parse(&get, "BPC_SESSION_HOURS", 12, positive)?,
            login_window_secs: parse(&get, "BPC_LOGIN_WINDOW_SECS", 900, positive)?,
            login_max_per_account: parse(&get, "BPC_LOGIN_MAX_PER_ACCOUNT", 5, positive)?,
            login_max_per_ip: parse(&get, "BPC_LOGIN_MAX_PER_IP", 50, positive)?,
            demo: args.iter().any(|a| a == "--demo")
                || parse(&get, "BPC_DEMO", false, "expected true or false")?,
            demo_history: parse(&get, "BPC_DEMO_HISTORY", true, "expected true or false")?,
            sweep_secs: parse(
                &get,
                "BPC_SWEEP_SECS",
                60,
                "expected a whole number of seconds",
            )?,
            test_clock: parse(&get, "BPC_TEST_CLOCK", false, "expected true or false")?,
            photos: text("BPC_PHOTOS", "data/photos"),
            escalate_after_minutes: parse(&get, "BPC_REMIND_ESCALATE_MINUTES", 10, positive)?,
            alarm_escalate_hours: parse(&get, "BPC_ALARM_ESCALATE_HOURS", 4, positive)?,
            smtp_url: get("BPC_SMTP_URL").filter(|v| !v.is_empty()),
            smtp_from: text("BPC_SMTP_FROM", "bpc@localhost"),
            smtp_to: text("BPC_SMTP_TO", "{login}@localhost"),
            remind_secs: parse(
                &get,
                "BPC_REMIND_SECS",
                15,
                "expected a whole number of seconds",
            )?,
            visit_writers: parse(&get, "BPC_VISIT_WRITERS", 16, positive)?,
            metrics_token: get("BPC_METRICS_TOKEN").filter(|v| !v.is_empty()),
            import_exe: None,
            trusted_proxies: match get("BPC_TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(v) => parse_networks(&v).map_err(|bad| SettingsError {
                    var: "BPC_TRUSTED_PROXIES",
                    value: v.clone(),
                    reason: format!(
                        "{bad:?} is not an address or network such as 127.0.0.1 or 10.0.0.0/8"
                    ),
                })?,
            },
            origins: match get("BPC_ORIGINS") {
                None => Vec::new(),
                Some(v) => parse_origins(&v).map_err(|bad| SettingsError {
                    var: "BPC_ORIGINS",
                    value: v.clone(),
                    reason: format!("{bad:?} is not an origin such as https://crm.example.com"),
                })?,
            },
            import_memory_mb: parse(&get, "BPC_IMPORT_MEMORY_MB", 512, positive)?,
            log_json: match get("BPC_LOG_FORMAT").as_deref() {
                None | Some("") | Some("text") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(SettingsError {
                        var: "BPC_LOG_FORMAT",
                        value: other.to_string(),
                        reason: "expected text or json".into(),
                    })
                }
            },
        };
        for (var, value) in [
            ("BPC_SESSION_HOURS", u64::from(settings.session_hours)),
            ("BPC_LOGIN_WINDOW_SECS", settings.login_window_secs),
            (
                "BPC_LOGIN_MAX_PER_ACCOUNT",
                settings.login_max_per_account as u64,
            ),
            ("BPC_LOGIN_MAX_PER_IP", settings.login_max_per_ip as u64),
            (
                "BPC_REMIND_ESCALATE_MINUTES",
                settings.escalate_after_minutes.max(0) as u64,
            ),
            ("BPC_VISIT_WRITERS", settings.visit_writers as u64),
            ("BPC_IMPORT_MEMORY_MB", settings.import_memory_mb),
            (
                "BPC_ALARM_ESCALATE_HOURS",
                settings.alarm_escalate_hours.max(0) as u64,
            ),
        ] {
            if value == 0 {
                return Err(SettingsError {
                    var,
                    value: value.to_string(),
                    reason: positive.into(),
                });
            }
        }
        if settings.database_url.starts_with("ws")
            && settings.database_user.is_some() != settings.database_pass.is_some()
        {
            return Err(SettingsError {
                var: "DATABASE_PASS",
                value: String::new(),
                reason: "DATABASE_USER and DATABASE_PASS go together".into(),
            });
        }
        Ok(settings)
    }

    pub fn from_env() -> Result<Settings, SettingsError> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut settings = Self::from_lookup(|k| std::env::var(k).ok(), &args)?;
        settings.import_exe = std::env::current_exe().ok();
        Ok(settings)
    }

    /// Settings for tests: in-memory database, any free port.
    pub fn for_tests() -> Settings {
        let mut s = Self::from_lookup(|_| None, &[]).unwrap_or_else(|e| panic!("defaults: {e}"));
        s.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        s.database_url = "mem://".into();
        s.sweep_secs = 0;
        s.photos = "mem".into();
        s.remind_secs = 0;
        s.demo_history = false;
        s
    }

    /// The directory of an embedded database file, to create before opening it.
    pub fn database_dir(&self) -> Option<PathBuf> {
        self.database_url
            .strip_prefix("surrealkv://")
            .and_then(|p| PathBuf::from(p).parent().map(PathBuf::from))
            .filter(|p| !p.as_os_str().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned(), &[])
    }

    #[test]
    fn log_format_and_metrics_token() {
        let s = with(&[]).expect("defaults");
        assert!(!s.log_json);
        assert_eq!(s.metrics_token, None);
        let s = with(&[("BPC_LOG_FORMAT", "json"), ("BPC_METRICS_TOKEN", "t0k")]).expect("json");
        assert!(s.log_json);
        assert_eq!(s.metrics_token.as_deref(), Some("t0k"));
        let err = with(&[("BPC_LOG_FORMAT", "xml")]).err().map(|e| e.var);
        assert_eq!(err, Some("BPC_LOG_FORMAT"));
    }

    #[test]
    fn defaults() {
        let s = with(&[]).expect("defaults parse");
        assert_eq!(s.database_url, "surrealkv://data/bpc.db");
        assert_eq!(s.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!(s.listen.port(), 3000);
        assert!(s.cookie_secure);
        assert!(!s.demo);
        assert_eq!(s.database_dir(), Some(PathBuf::from("data")));
        assert_eq!(s.visit_writers, 16);
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("BPC_LISTEN", "nonsense"),
            ("DATABASE_URL", "postgres://x"),
            ("BPC_TIMEZONE", "Mars/Olympus"),
            ("BPC_COOKIE_SECURE", "maybe"),
            ("BPC_SESSION_HOURS", "0"),
            ("BPC_LOGIN_MAX_PER_IP", "-3"),
            ("BPC_VISIT_WRITERS", "0"),
        ] {
            let err = with(&[(var, value)]).expect_err(var);
            assert_eq!(err.var, var, "{err}");
            assert!(err.to_string().contains(var));
        }
    }

    #[test]
    fn remote_database_needs_both_credentials() {
        assert!(with(&[("DATABASE_URL", "ws://db:8000"), ("DATABASE_USER", "root")]).is_err());
        let s = with(&[
            ("DATABASE_URL", "ws://db:8000"),
            ("DATABASE_USER", "root"),
            ("DATABASE_PASS", "secret"),
        ])
        .expect("remote settings");
        assert_eq!(s.database_dir(), None);
    }

    #[test]
    fn demo_flag_from_args() {
        let s = Settings::from_lookup(|_| None, &["--demo".to_string()]).expect("parse");
        assert!(s.demo);
    }
}
