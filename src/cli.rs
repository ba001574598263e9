//! The admin commands (`preau admin …`, `preau migrate`, `preau config
//! check`), like Mastodon's tootctl. Each returns a message for standard
//! output or an error whose text explains what to fix.

use crate::{
    app::build_domain,
    config::Settings,
    domain::{accounts::AdminCreateInput, rows::AccountRow, Domain, DomainError},
    i18n::Catalogs,
};
use std::io::{BufRead, IsTerminal, Write};

/// A failed command: the message printed on standard error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CliError(pub String);

impl From<DomainError> for CliError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Refused(refusal) => {
                let code = refusal.code();
                let message = Catalogs::english_error(code);
                match refusal.detail() {
                    Some(detail) => CliError(format!("{message} ({code}: {detail})")),
                    None => CliError(format!("{message} ({code})")),
                }
            }
            other => CliError(other.to_string()),
        }
    }
}

impl From<crate::app::StartError> for CliError {
    fn from(error: crate::app::StartError) -> Self {
        CliError(error.to_string())
    }
}

impl From<crate::domain::rows::StoreError> for CliError {
    fn from(error: crate::domain::rows::StoreError) -> Self {
        CliError(error.to_string())
    }
}

async fn domain(settings: &Settings) -> Result<Domain, CliError> {
    Ok(build_domain(settings.clone()).await?)
}

/// Reads a password from standard input (one line), prompting on a
/// terminal.
pub fn read_password() -> Result<String, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|error| {
        CliError(format!(
            "cannot read the password from standard input: {error}"
        ))
    })?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(CliError("no password given on standard input".to_string()));
    }
    Ok(password)
}

/// `preau admin create-user NAME --email EMAIL [--admin]`.
pub async fn create_user(
    settings: &Settings,
    name: &str,
    email: &str,
    is_admin: bool,
    password: String,
) -> Result<String, CliError> {
    let domain = domain(settings).await?;
    let account = domain
        .admin_create_account(AdminCreateInput {
            username: name.to_string(),
            email: email.to_string(),
            password,
            is_admin,
        })
        .await?;
    domain.close().await;
    Ok(format!(
        "created {}{} <{}>: {}",
        account.username,
        if account.is_admin { " (admin)" } else { "" },
        account.email,
        crate::urls::person(&settings.base_url(), &account.username)
    ))
}

/// `preau admin create-forum NAME --title TITLE [--description TEXT]`.
pub async fn create_forum(
    settings: &Settings,
    name: &str,
    title: &str,
    description: &str,
) -> Result<String, CliError> {
    let domain = domain(settings).await?;
    let forum = domain
        .create_forum(
            None,
            &crate::domain::forums::ForumInput {
                name: name.to_string(),
                title: title.to_string(),
                description: description.to_string(),
                min_post_level: preau_federation::TrustLevel::Informal,
            },
        )
        .await?;
    domain.close().await;
    Ok(format!(
        "created forum !{}@{}: {}",
        forum.actor.name, settings.instance.domain, forum.actor.ap_id
    ))
}

/// `preau admin approve NAME`.
pub async fn approve(settings: &Settings, name: &str) -> Result<String, CliError> {
    let domain = domain(settings).await?;
    let account = domain.approve_account(name).await?;
    domain.close().await;
    Ok(format!(
        "{} is now {}",
        account.username,
        account.status.as_str()
    ))
}

/// `preau admin refuse NAME --reason REASON`.
pub async fn refuse(settings: &Settings, name: &str, reason: &str) -> Result<String, CliError> {
    let domain = domain(settings).await?;
    let account = domain.refuse_account(name, reason).await?;
    domain.close().await;
    Ok(format!(
        "{} is now {}",
        account.username,
        account.status.as_str()
    ))
}

/// `preau admin suspend NAME`.
pub async fn suspend(settings: &Settings, name: &str) -> Result<String, CliError> {
    let domain = domain(settings).await?;
    let account = domain.suspend_account(name).await?;
    domain.close().await;
    Ok(format!(
        "{} is now {}",
        account.username,
        account.status.as_str()
    ))
}

fn table(accounts: &[AccountRow]) -> String {
    let mut out = format!(
        "{:<30} {:<40} {:<22} {:<6}\n",
        "USERNAME", "EMAIL", "STATUS", "ADMIN"
    );
    for account in accounts {
        out.push_str(&format!(
            "{:<30} {:<40} {:<22} {:<6}\n",
            account.username,
            account.email,
            account.status.as_str(),
            if account.is_admin { "yes" } else { "no" }
        ));
    }
    out.push_str(&format!("{} account(s)", accounts.len()));
    out
}

/// `preau admin list-users [--csv]`.
pub async fn list_users(settings: &Settings, csv: bool) -> Result<String, CliError> {
    let domain = domain(settings).await?;
    let accounts = domain.accounts_for_operator().await?;
    domain.close().await;
    if csv {
        crate::web::admin::accounts_csv(&accounts)
            .map(|text| text.trim_end().to_string())
            .map_err(|error| CliError(error.to_string()))
    } else {
        Ok(table(&accounts))
    }
}

/// `preau admin deliveries`: the outbox's deliveries by state, as JSON
/// (`{"pending":…,"done":…,"failed":…,"refused":…}`), to see whether it
/// drains (and for tests waiting for a federation step to complete).
pub async fn deliveries(settings: &Settings) -> Result<String, CliError> {
    let counts = crate::domain::database::delivery_counts(settings).await?;
    Ok(serde_json::json!({
        "pending": counts.pending,
        "done": counts.done,
        "failed": counts.failed,
        "refused": counts.refused,
    })
    .to_string())
}

/// `preau migrate`: applies pending migrations.
pub async fn migrate(settings: &Settings) -> Result<String, CliError> {
    crate::domain::database::migrate_database(settings).await?;
    Ok(format!(
        "database up to date: {}",
        redact(&settings.database_url())
    ))
}

/// Hides a password in a database URL before printing it.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// `preau config check [FILE]`: loads and checks the settings, printing a
/// summary.
pub fn check_config(settings: &Settings) -> String {
    let instance = &settings.instance;
    format!(
        "configuration is valid\n  url:           {}\n  listen:        {}\n  trust level:   {}\n  registrations: {:?}\n  e-mail domains: {}\n  database:      {}\n  mail:          {}\n  allow loopback: {}",
        settings.base_url(),
        settings.server.listen,
        instance.trust_level,
        instance.registrations,
        if instance.allowed_email_domains.is_empty() { "any".to_string() } else { instance.allowed_email_domains.join(", ") },
        redact(&settings.database_url()),
        if settings.mail.smtp_url.is_empty() {
            format!("outbox folder {}", settings.server.data_dir.join("outbox").display())
        } else {
            redact(&settings.mail.smtp_url)
        },
        settings.federation.allow_loopback,
    )
}

/// Exit code of `preau mail receive`: the message was posted, was a
/// duplicate or an automatic one, or was refused and either its author told
/// at their account's address or, when it may be forged, dropped (never
/// bounced to an unverified sender).
pub const EX_OK: u8 = 0;
/// Exit code: no recipient is a reply address of this instance (EX_NOUSER).
pub const EX_NOUSER: u8 = 67;
/// Exit code: a temporary failure (the database, or the bounce to the
/// author could not be sent), to try again later (EX_TEMPFAIL).
pub const EX_TEMPFAIL: u8 = 75;
/// Exit code: the configuration cannot be loaded (EX_CONFIG).
pub const EX_CONFIG: u8 = 78;

/// `preau mail receive [--sender ADDRESS] [RECIPIENT…]`: one message on
/// standard input, as an MTA's pipe delivers it. Answers the exit code
/// (sysexits, as MTAs read them) and a line for the log.
pub async fn receive_mail(
    settings: &Settings,
    raw: &[u8],
    sender: Option<&str>,
    recipients: &[String],
) -> (u8, String) {
    use crate::domain::mail_replies::{return_path, Bounce, ReplyChannel, ReplyMailOutcome};
    let domain = match domain(settings).await {
        Ok(domain) => domain,
        Err(error) => return (EX_TEMPFAIL, format!("cannot open the instance: {error}")),
    };
    let sender = sender.map_or_else(|| return_path(raw).unwrap_or_default(), str::to_string);
    let outcome = domain
        .receive_reply_mail(raw, &sender, recipients, ReplyChannel::Pipe)
        .await;
    domain.close().await;
    match outcome {
        Ok(ReplyMailOutcome::Posted(_)) => (EX_OK, "reply posted".to_string()),
        Ok(ReplyMailOutcome::Duplicate) => (EX_OK, "already posted".to_string()),
        Ok(ReplyMailOutcome::Automatic) => (EX_OK, "automatic message ignored".to_string()),
        Ok(ReplyMailOutcome::Refused {
            refusal,
            bounce: Bounce::Sent,
            ..
        }) => (EX_OK, format!("not posted ({refusal}); its author told")),
        Ok(ReplyMailOutcome::Refused {
            refusal,
            bounce: Bounce::NotSent,
            ..
        }) => (
            EX_OK,
            format!("not posted ({refusal}); dropped, the sender is not the author"),
        ),
        Ok(ReplyMailOutcome::Refused {
            refusal,
            bounce: Bounce::Failed,
            ..
        }) => (
            EX_TEMPFAIL,
            format!(
                "reply not posted ({}), and its author could not be told: try again later",
                refusal.code()
            ),
        ),
        Ok(ReplyMailOutcome::NotForUs) => (
            EX_NOUSER,
            "no recipient is a reply address of this instance".to_string(),
        ),
        Err(error) => (EX_TEMPFAIL, format!("temporary failure: {error}")),
    }
}
