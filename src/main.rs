//! The `preau` command: parse, load settings, call into the library.

use clap::{Parser, Subcommand};
use preau::{cli, config::Settings, trust_cli};
use preau_federation::TrustLevel;
use std::{path::PathBuf, process::ExitCode};

/// Préau: a federated exchange network for teachers.
#[derive(Parser)]
#[command(name = "preau", version, about)]
struct Cli {
    /// Configuration file (TOML); every key can also be set with
    /// PREAU_<SECTION>_<KEY> environment variables.
    #[arg(long, global = true, env = "PREAU_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the instance (the default command).
    Serve {
        /// Accept connections on the listening socket inherited as standard
        /// input (file descriptor 0, as systemd's `StandardInput=socket`
        /// passes it) instead of binding `server.listen`.
        #[arg(long)]
        listen_stdin: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Check a configuration file.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Administration commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Trust attestations: authority keys, signing, checking (no
    /// configuration needed; see docs/trust.md).
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Replies by e-mail.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Start three federating demo instances on loopback ports.
    Demo {
        /// First port; the instances use this one and the next two.
        #[arg(long, default_value_t = 8081)]
        base_port: u16,
        /// Where the demo instances keep their data.
        #[arg(long, default_value = "preau-data/demo")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Load and check a configuration file (or the --config one).
    Check {
        /// The file to check.
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an active account; the password is read from standard input.
    CreateUser {
        /// Username.
        name: String,
        /// E-mail address (the instance's e-mail domain rule applies).
        #[arg(long)]
        email: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Create a forum.
    CreateForum {
        /// Short name: the forum's address is !NAME@domain.
        name: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// Description (Markdown).
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Approve an account waiting for approval, or re-activate a suspended one.
    Approve {
        /// Username.
        name: String,
    },
    /// Refuse a sign-up waiting for approval; the applicant gets the
    /// reason by mail.
    Refuse {
        /// Username.
        name: String,
        /// Why (sent to the applicant).
        #[arg(long)]
        reason: String,
    },
    /// Suspend an account and end its sessions.
    Suspend {
        /// Username.
        name: String,
    },
    /// List accounts.
    ListUsers {
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Count the outbox's deliveries by state (JSON): pending, done,
    /// failed, refused.
    Deliveries,
}

#[derive(Subcommand)]
enum MailCommand {
    /// Read one message on standard input (an MTA's pipe) and post it as a
    /// reply, or bounce it. Exit codes: 0 done (posted, or refused and
    /// bounced), 67 not a reply address, 69 refused and not bounced, 75
    /// temporary failure, 78 bad configuration.
    Receive {
        /// The envelope sender (bounces go there); default: the message's
        /// Return-Path header.
        #[arg(long)]
        sender: Option<String>,
        /// The envelope recipients; default: the To and Cc headers.
        recipients: Vec<String>,
    },
}

#[derive(Subcommand)]
enum TrustCommand {
    /// Create an authority key; prints its public key (z6Mk…).
    Keygen {
        /// Where to write the secret key (a new file, mode 0600).
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign an attestation "ORIGIN is LEVEL, run by ORG" valid from now.
    Attest {
        /// The authority's key file (from `preau trust keygen`).
        #[arg(long)]
        key: PathBuf,
        /// The instance attested, e.g. https://ent.ac-rennes.fr.
        #[arg(long)]
        origin: String,
        /// informal, associative or institutional.
        #[arg(long)]
        level: TrustLevel,
        /// The organisation running the instance.
        #[arg(long)]
        org: String,
        /// An allowed e-mail domain of its verified accounts (repeatable).
        #[arg(long = "email-domain")]
        email_domains: Vec<String>,
        /// How many days it stays valid.
        #[arg(long)]
        valid_days: u32,
        /// Write the attestation here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check an attestation file and print what it states.
    Verify {
        /// The attestation (JSON).
        file: PathBuf,
        /// A trusted authority public key (z6Mk…; repeatable).
        #[arg(long = "authority")]
        authorities: Vec<String>,
        /// The URL the attestation was served by; its origin must match.
        #[arg(long)]
        origin: Option<String>,
    },
}

fn run_trust(command: TrustCommand) -> Result<String, cli::CliError> {
    let now = chrono::Utc::now();
    match command {
        TrustCommand::Keygen { out } => trust_cli::keygen(&out),
        TrustCommand::Attest {
            key,
            origin,
            level,
            org,
            email_domains,
            valid_days,
            out,
        } => trust_cli::attest(
            &trust_cli::AttestRequest {
                key_file: &key,
                origin: &origin,
                trust_level: level,
                organisation: &org,
                email_domains: &email_domains,
                valid_days,
                out: out.as_deref(),
            },
            now,
        ),
        TrustCommand::Verify {
            file,
            authorities,
            origin,
        } => trust_cli::verify_file(&file, &authorities, origin.as_deref(), now),
    }
}

fn load(file: Option<&std::path::Path>) -> Result<Settings, String> {
    Settings::load(file, std::env::vars()).map_err(|error| error.to_string())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PREAU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The listening TCP socket inherited as standard input (`serve
/// --listen-stdin`): whoever started the server bound it, so the port is
/// held from before the server starts (systemd socket activation, test
/// harnesses) and nothing else can take it in between.
#[cfg(unix)]
fn inherited_listener() -> Result<tokio::net::TcpListener, String> {
    use std::os::fd::AsFd;
    let refused = |error: std::io::Error| {
        format!("--listen-stdin: standard input is not a listening TCP socket: {error}")
    };
    let fd = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(refused)?;
    let listener = std::net::TcpListener::from(fd);
    // A file or a terminal on standard input has no socket address.
    listener.local_addr().map_err(refused)?;
    listener.set_nonblocking(true).map_err(refused)?;
    tokio::net::TcpListener::from_std(listener).map_err(refused)
}

/// Socket inheritance through standard input is a Unix convention.
#[cfg(not(unix))]
fn inherited_listener() -> Result<tokio::net::TcpListener, String> {
    Err("--listen-stdin is only supported on Unix".to_string())
}

async fn execute(cli: Cli) -> Result<String, String> {
    let config = cli.config.as_deref();
    match cli.command.unwrap_or(Command::Serve {
        listen_stdin: false,
    }) {
        Command::Serve { listen_stdin } => {
            let settings = load(config)?;
            let listener = if listen_stdin {
                inherited_listener()?
            } else {
                tokio::net::TcpListener::bind(settings.server.listen)
                    .await
                    .map_err(|error| {
                        format!("cannot listen on {}: {error}", settings.server.listen)
                    })?
            };
            let address = listener
                .local_addr()
                .map_or_else(|_| settings.server.listen.to_string(), |a| a.to_string());
            eprintln!(
                "Préau starting on http://{address} as {}",
                settings.base_url()
            );
            preau::app::run(listener, settings, shutdown_signal())
                .await
                .map_err(|error| error.to_string())?;
            Ok("stopped".to_string())
        }
        Command::Migrate => cli::migrate(&load(config)?)
            .await
            .map_err(|e| e.to_string()),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => {
            let settings = load(file.as_deref().or(config))?;
            Ok(cli::check_config(&settings))
        }
        Command::Admin { command } => {
            let settings = load(config)?;
            let result = match command {
                AdminCommand::CreateUser { name, email, admin } => {
                    let password = cli::read_password().map_err(|e| e.to_string())?;
                    cli::create_user(&settings, &name, &email, admin, password).await
                }
                AdminCommand::CreateForum {
                    name,
                    title,
                    description,
                } => cli::create_forum(&settings, &name, &title, &description).await,
                AdminCommand::Approve { name } => cli::approve(&settings, &name).await,
                AdminCommand::Refuse { name, reason } => {
                    cli::refuse(&settings, &name, &reason).await
                }
                AdminCommand::Suspend { name } => cli::suspend(&settings, &name).await,
                AdminCommand::ListUsers { csv } => cli::list_users(&settings, csv).await,
                AdminCommand::Deliveries => cli::deliveries(&settings).await,
            };
            result.map_err(|error| error.to_string())
        }
        Command::Mail { .. } => Err("handled before".to_string()),
        Command::Trust { command } => run_trust(command).map_err(|error| error.to_string()),
        Command::Demo {
            base_port,
            data_dir,
        } => {
            let (instances, summary) = preau::demo::start(&data_dir, base_port).await?;
            println!("{summary}");
            shutdown_signal().await;
            for instance in instances {
                let _ = instance.stop().await;
            }
            Ok("demo stopped".to_string())
        }
    }
}

fn main() -> ExitCode {
    preau::install_crypto_provider();
    let cli = Cli::parse();
    let quiet = !matches!(
        cli.command,
        None | Some(Command::Serve { .. }) | Some(Command::Demo { .. })
    );
    if !quiet || std::env::var_os("PREAU_LOG").is_some() {
        init_tracing();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Mail {
        command: MailCommand::Receive { sender, recipients },
    }) = &cli.command
    {
        let settings = match load(cli.config.as_deref()) {
            Ok(settings) => settings,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(cli::EX_CONFIG);
            }
        };
        let mut raw = Vec::new();
        let limit = preau::domain::mail_replies::MAX_MESSAGE_BYTES as u64 + 1;
        if let Err(error) = std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin().lock(), limit),
            &mut raw,
        ) {
            eprintln!("error: cannot read the message: {error}");
            return ExitCode::from(cli::EX_TEMPFAIL);
        }
        let (code, message) = runtime.block_on(cli::receive_mail(
            &settings,
            &raw,
            sender.as_deref(),
            recipients,
        ));
        if code == cli::EX_OK {
            println!("{message}");
        } else {
            eprintln!("{message}");
        }
        return ExitCode::from(code);
    }
    match runtime.block_on(execute(cli)) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
