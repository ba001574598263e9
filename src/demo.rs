//! `preau demo`: three instances in one process on loopback ports, an
//! academy's institutional node, an association's node and an informal
//! node, each with sample teachers. The quickest way to see federation.

use crate::{
    app::{spawn, RunningInstance},
    config::{Registrations, Settings},
    domain::{accounts::AdminCreateInput, profile::ProfileInput},
};
use preau_federation::TrustLevel;
use std::{net::SocketAddr, path::Path};

/// The password of every demo account (printed at start).
pub const DEMO_PASSWORD: &str = "preau-demo-2026";

struct Teacher {
    name: &'static str,
    email_domain: &'static str,
    display_name: &'static str,
    subjects: &'static str,
    levels: &'static [&'static str],
    academy: &'static str,
    bio: &'static str,
}

struct DemoInstance {
    slug: &'static str,
    name: &'static str,
    level: TrustLevel,
    organisation: &'static str,
    registrations: Registrations,
    email_domains: &'static [&'static str],
    teachers: &'static [Teacher],
}

const INSTANCES: [DemoInstance; 3] = [
    DemoInstance {
        slug: "academie",
        name: "Préau — Académie de Rennes",
        level: TrustLevel::Institutional,
        organisation: "Académie de Rennes",
        registrations: Registrations::Open,
        email_domains: &["ac-rennes.fr"],
        teachers: &[
            Teacher { name: "camille", email_domain: "ac-rennes.fr", display_name: "Camille Le Goff", subjects: "Mathématiques", levels: &["lycee"], academy: "Rennes", bio: "Professeure de **mathématiques** au lycée, intéressée par les projets de robotique." },
            Teacher { name: "yann", email_domain: "ac-rennes.fr", display_name: "Yann Kerbrat", subjects: "Histoire-géographie, EMC", levels: &["college"], academy: "Rennes", bio: "Histoire-géographie au collège ; je cherche des partenaires pour un projet eTwinning." },
        ],
    },
    DemoInstance {
        slug: "association",
        name: "Préau — Association des profs de SVT",
        level: TrustLevel::Associative,
        organisation: "Association des professeurs de SVT",
        registrations: Registrations::Approval,
        email_domains: &[],
        teachers: &[
            Teacher { name: "amina", email_domain: "example.org", display_name: "Amina Diallo", subjects: "SVT", levels: &["college", "lycee"], academy: "Créteil", bio: "SVT, sorties de terrain et jardins pédagogiques." },
        ],
    },
    DemoInstance {
        slug: "collectif",
        name: "Préau — Collectif informel",
        level: TrustLevel::Informal,
        organisation: "",
        registrations: Registrations::Open,
        email_domains: &[],
        teachers: &[
            Teacher { name: "lucas", email_domain: "example.net", display_name: "Lucas Martin", subjects: "Professeur des écoles", levels: &["primaire"], academy: "Lyon", bio: "CM1-CM2, classe flexible et correspondance scolaire." },
        ],
    },
];

/// Settings of one demo instance listening on `port`.
pub fn demo_settings(data_root: &Path, index: usize, port: u16) -> Settings {
    let spec = &INSTANCES[index % INSTANCES.len()];
    let mut settings = Settings::default();
    settings.server.listen = SocketAddr::from(([127, 0, 0, 1], port));
    settings.server.data_dir = data_root.join(spec.slug);
    settings.instance.domain = format!("localhost:{port}");
    settings.instance.name = spec.name.to_string();
    settings.instance.trust_level = spec.level;
    settings.instance.organisation = spec.organisation.to_string();
    settings.instance.registrations = spec.registrations;
    settings.instance.allowed_email_domains =
        spec.email_domains.iter().map(|d| d.to_string()).collect();
    settings.federation.allow_loopback = true;
    settings
}

async fn seed(instance: &RunningInstance, index: usize) -> Result<(), String> {
    let domain = &instance.state.domain;
    let spec = &INSTANCES[index % INSTANCES.len()];
    for teacher in spec.teachers {
        if domain
            .account_by_username(teacher.name)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            continue;
        }
        let account = domain
            .admin_create_account(AdminCreateInput {
                username: teacher.name.to_string(),
                email: format!("{}@{}", teacher.name, teacher.email_domain),
                password: DEMO_PASSWORD.to_string(),
                is_admin: teacher.name == spec.teachers[0].name,
            })
            .await
            .map_err(|e| e.to_string())?;
        domain
            .update_profile(
                account.actor_id,
                &ProfileInput {
                    display_name: teacher.display_name.to_string(),
                    bio: teacher.bio.to_string(),
                    subjects: teacher.subjects.to_string(),
                    levels: teacher.levels.iter().map(|l| l.to_string()).collect(),
                    languages: "fr, en".to_string(),
                    academy: teacher.academy.to_string(),
                    school: String::new(),
                    interests: String::new(),
                },
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    if index == 0 {
        seed_project(instance).await?;
    }
    Ok(())
}

/// A sample project space on the academy's node, so the demo has one to
/// invite colleagues of the other instances into.
async fn seed_project(instance: &RunningInstance) -> Result<(), String> {
    let domain = &instance.state.domain;
    let exists = match domain.project_by_path("robotique").await {
        Ok(_) => true,
        // Not found: seed it.
        Err(crate::domain::DomainError::Refused(_)) => false,
        Err(error) => return Err(error.to_string()),
    };
    let owner = domain
        .account_by_username("camille")
        .await
        .map_err(|e| e.to_string())?;
    let (false, Some(owner)) = (exists, owner) else {
        return Ok(());
    };
    domain
        .create_project(
            &owner,
            &crate::domain::projects::ProjectInput {
                name: "robotique".to_string(),
                title: "Robotique au lycée".to_string(),
                description: "Construire et programmer des robots avec des élèves de seconde ; partage de séquences et rencontres en visio.".to_string(),
                subjects: "Mathématiques, SNT".to_string(),
                school_levels: vec!["lycee".to_string()],
                languages: "fr".to_string(),
                academy: "Rennes".to_string(),
                country: "France".to_string(),
                place: "Rennes".to_string(),
                latitude: "48.1118".to_string(),
                longitude: "-1.6819".to_string(),
                visibility: "public".to_string(),
                status: "looking".to_string(),
                join_mode: "request".to_string(),
                min_member_level: "informal".to_string(),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Starts the three instances on `base_port`, `base_port + 1` and
/// `base_port + 2`, seeds them, and returns them with a summary to print.
pub async fn start(
    data_root: &Path,
    base_port: u16,
) -> Result<(Vec<RunningInstance>, String), String> {
    let mut running = Vec::new();
    let mut summary = String::from("Préau demo: three instances on this machine\n");
    for (index, spec) in INSTANCES.iter().enumerate() {
        let port = if base_port == 0 {
            0
        } else {
            base_port + index as u16
        };
        let mut settings = demo_settings(data_root, index, port);
        if port == 0 {
            settings.instance.domain = "localhost:0".to_string();
        }
        let instance = spawn(settings).await.map_err(|e| e.to_string())?;
        seed(&instance, index).await?;
        summary.push_str(&format!(
            "\n  {} ({})\n    {}\n    teachers: {}\n",
            spec.name,
            spec.level,
            instance.base_url,
            spec.teachers
                .iter()
                .map(|t| format!(
                    "{}@{}",
                    t.name,
                    instance.base_url.trim_start_matches("http://")
                ))
                .collect::<Vec<_>>()
                .join(", "),
        ));
        running.push(instance);
    }
    summary.push_str(&format!(
        "\n  every demo account's password: {DEMO_PASSWORD}\n  look a teacher up from another instance (logged in): GET /api/v1/lookup?handle=NAME@HOST:PORT\n  mail is written under {}/*/outbox/\n  stop with Ctrl-C",
        data_root.display()
    ));
    Ok((running, summary))
}
