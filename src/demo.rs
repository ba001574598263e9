//! `preau demo`: three instances in one process on loopback ports, an
//! academy's institutional node, an association's node and an informal
//! node, each with sample teachers. The quickest way to see federation.
//!
//! The demo is Préau as it is meant to be run: a demo trust authority (an
//! ed25519 key in the demo's data directory, as `preau trust keygen` makes
//! one) attests the academy and the association, and every demo instance
//! trusts it, so the academy's content shows as institutional everywhere.
//! Forums with threads and replies, followed across instances, and a
//! project with members, an event, a forum thread and a shared document
//! are there from the start.

use crate::{
    app::{spawn_on, RunningInstance},
    config::{AuthoritySettings, Registrations, Settings},
    domain::{
        accounts::AdminCreateInput, forums::ForumInput, profile::ProfileInput,
        project_events::EventInput,
    },
};
use chrono::{TimeDelta, Utc};
use preau_federation::{
    attestation::{generate_key, sign, AttestationFields, AuthorityKey, Origin},
    TrustLevel,
};
use std::{net::SocketAddr, path::Path, time::Duration};
use tokio::net::TcpListener;

/// The name every demo instance gives the demo authority.
pub const DEMO_AUTHORITY: &str = "Autorité de démonstration (ministère fictif)";

/// How long the demo waits at most for its instances to exchange the
/// follows and posts it seeds (each round of deliveries).
const DELIVERY_BOUND: Duration = Duration::from_secs(15);

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

/// The demo authority's key: read from `authority.key` in the demo's data
/// directory, made there the first time.
fn authority_key(data_root: &Path) -> Result<AuthorityKey, String> {
    let path = data_root.join("authority.key");
    if path.exists() {
        return AuthorityKey::load(&path).map_err(|e| format!("{}: {e}", path.display()));
    }
    std::fs::create_dir_all(data_root).map_err(|e| format!("{}: {e}", data_root.display()))?;
    let key = generate_key();
    key.save_new(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

/// Trusts the demo authority and, for an attested instance, writes its
/// attestation (signed again at each start: the ports may change) and
/// serves it.
fn set_up_trust(
    settings: &mut Settings,
    spec: &DemoInstance,
    key: &AuthorityKey,
) -> Result<(), String> {
    settings.trust.authorities = vec![AuthoritySettings {
        name: DEMO_AUTHORITY.to_string(),
        key: key.public_multikey().to_string(),
    }];
    if spec.level == TrustLevel::Informal {
        return Ok(());
    }
    let origin = Origin::parse(&settings.base_url()).map_err(|e| e.to_string())?;
    let now = Utc::now();
    let fields = AttestationFields {
        id: None,
        origin,
        trust_level: spec.level,
        organisation: spec.organisation.to_string(),
        email_domains: spec.email_domains.iter().map(|d| d.to_string()).collect(),
        valid_from: now,
        valid_until: now + TimeDelta::days(365),
    };
    let json = sign(&fields, key)
        .and_then(|attestation| attestation.to_json_pretty())
        .map_err(|e| e.to_string())?;
    let dir = &settings.server.data_dir;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("attestation.json");
    std::fs::write(&file, json).map_err(|e| format!("{}: {e}", file.display()))?;
    settings.trust.attestations = vec![file];
    Ok(())
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
                &crate::apub::person_updates::PersonUpdates,
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

/// A forum thread the demo opens, with its replies (by the academy's
/// teachers, in turn).
struct DemoThread {
    forum: &'static str,
    author: &'static str,
    title: &'static str,
    body: &'static str,
    replies: &'static [(&'static str, &'static str)],
}

/// The academy's forums: (name, title, description).
const ACADEMY_FORUMS: [(&str, &str, &str); 2] = [
    (
        "maths_lycee",
        "Mathématiques au lycée",
        "Progressions, automatismes et évaluations en mathématiques, de la seconde à la terminale.",
    ),
    (
        "histoire_geo",
        "Histoire-géographie et EMC",
        "Sources, sorties et projets en histoire-géographie et en EMC.",
    ),
];

const ACADEMY_THREADS: [DemoThread; 2] = [
    DemoThread {
        forum: "maths_lycee",
        author: "camille",
        title: "Automatismes en seconde : vos rituels de début d’heure ?",
        body: "Bonjour à toutes et à tous,\n\nJe commence chaque heure par **cinq minutes d’automatismes** (calcul mental, pourcentages, lecture graphique). Comment faites-vous ?",
        replies: &[
            ("yann", "Même chose en histoire-géo avec une carte muette à compléter : les élèves s’y mettent dès l’entrée en classe."),
            ("camille", "Merci ! Je partage ma banque de questions dans le projet « Robotique au lycée »."),
        ],
    },
    DemoThread {
        forum: "histoire_geo",
        author: "yann",
        title: "Archives départementales : une sortie en troisième",
        body: "Les archives d’Ille-et-Vilaine proposent un atelier sur la Première Guerre mondiale. Quelqu’un l’a-t-il déjà fait ?",
        replies: &[("camille", "Oui, avec une classe de seconde : prévoir une demi-journée, l’atelier est excellent.")],
    },
];

/// Forums, threads and replies on the academy's node, followed from the
/// two other instances; a thread of the association's teacher in the
/// academy's forum; a forum of the association; the project's members and
/// an event. Only on a fresh data directory.
async fn seed_content(instances: &[RunningInstance]) -> Result<(), String> {
    let err = |e: crate::domain::DomainError| e.to_string();
    let academy = &instances[0].state.domain;
    if academy
        .forum_by_name(ACADEMY_FORUMS[0].0)
        .await
        .map_err(err)?
        .is_some()
    {
        return Ok(());
    }
    let account = |domain: &crate::domain::Domain, name: &'static str| {
        let domain = domain.clone();
        async move {
            domain
                .account_by_username(name)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("demo account {name} missing"))
        }
    };
    let camille = account(academy, "camille").await?;
    let yann = account(academy, "yann").await?;
    let mut forums = Vec::new();
    for (name, title, description) in ACADEMY_FORUMS {
        forums.push(
            academy
                .create_forum(
                    Some(&camille),
                    &ForumInput {
                        name: name.to_string(),
                        title: title.to_string(),
                        description: description.to_string(),
                        min_post_level: TrustLevel::Informal,
                    },
                )
                .await
                .map_err(err)?,
        );
    }
    // The other instances' teachers follow the academy's maths forum.
    let academy_host = academy.settings.instance.domain.clone();
    let handle = format!("{}@{academy_host}", ACADEMY_FORUMS[0].0);
    let mut followed = Vec::new();
    for (index, name) in [(1, "amina"), (2, "lucas")] {
        let instance = &instances[index];
        let data = instance.federation.to_request_data();
        let forum = crate::apub::forums::resolve_forum(&data, &handle)
            .await
            .map_err(|e| format!("{handle}: {}", e.code))?;
        let person = account(&instance.state.domain, name).await?;
        instance
            .state
            .domain
            .follow_forum(&person, &forum)
            .await
            .map_err(err)?;
        followed.push((index, person, forum));
    }
    deliver(&instances[1..]).await?;
    deliver(&instances[..1]).await?;
    // Threads and replies on the academy's node, sent to its followers.
    for thread in &ACADEMY_THREADS {
        let forum = forums
            .iter()
            .find(|f| f.actor.name == thread.forum)
            .ok_or("demo forum missing")?;
        let author = if thread.author == "camille" {
            &camille
        } else {
            &yann
        };
        let mut parent = academy
            .post_thread(author, forum, thread.title, thread.body)
            .await
            .map_err(err)?;
        for (name, body) in thread.replies {
            let author = if *name == "camille" { &camille } else { &yann };
            parent = academy
                .post_reply(author, &parent, body)
                .await
                .map_err(err)?;
        }
    }
    // The association's teacher opens a thread in the academy's forum.
    if let Some((index, amina, forum)) = followed.first() {
        instances[*index]
            .state
            .domain
            .post_thread(
                amina,
                forum,
                "Statistiques au jardin pédagogique : un projet SVT-maths ?",
                "Nous mesurons chaque semaine la croissance de nos plants en SVT. Une classe de seconde voudrait-elle en faire des **statistiques** ?",
            )
            .await
            .map_err(err)?;
        // And runs a forum of her own instance.
        let association = &instances[*index].state.domain;
        let forum = association
            .create_forum(
                Some(amina),
                &ForumInput {
                    name: "sorties_terrain".to_string(),
                    title: "Sorties de terrain en SVT".to_string(),
                    description:
                        "Organiser une sortie : autorisations, matériel, exploitation en classe."
                            .to_string(),
                    min_post_level: TrustLevel::Informal,
                },
            )
            .await
            .map_err(err)?;
        association
            .post_thread(
                amina,
                &forum,
                "Sortie géologie : quel matériel emporter ?",
                "Loupes, boussoles, carnets… Partagez vos listes !",
            )
            .await
            .map_err(err)?;
    }
    seed_project_members(academy, &camille, &yann).await?;
    deliver(instances).await?;
    deliver(&instances[..1]).await?;
    Ok(())
}

/// Runs each instance's deliveries, at most [`DELIVERY_BOUND`] each.
async fn deliver(instances: &[RunningInstance]) -> Result<(), String> {
    for instance in instances {
        instance
            .deliver_queued(DELIVERY_BOUND)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Yann asks to join the academy's project, Camille accepts, and adds the
/// first meeting to its agenda.
async fn seed_project_members(
    academy: &crate::domain::Domain,
    camille: &crate::domain::rows::AccountRow,
    yann: &crate::domain::rows::AccountRow,
) -> Result<(), String> {
    let err = |e: crate::domain::DomainError| e.to_string();
    let project = academy.project_by_path("robotique").await.map_err(err)?;
    academy.join_project(yann, &project).await.map_err(err)?;
    let requester = academy.actor_by_id(yann.actor_id).await.map_err(err)?;
    academy
        .decide_join(camille, &project, &requester, true)
        .await
        .map_err(err)?;
    let starts = (Utc::now() + TimeDelta::days(7))
        .format("%Y-%m-%dT16:00")
        .to_string();
    let ends = (Utc::now() + TimeDelta::days(7))
        .format("%Y-%m-%dT17:30")
        .to_string();
    academy
        .add_project_event(
            camille,
            &project,
            &EventInput {
                title: "Réunion de lancement".to_string(),
                description: "Choix des kits de robotique et calendrier des séances.".to_string(),
                starts,
                ends,
                location: "Lycée Chateaubriand, Rennes (salle B12)".to_string(),
                meeting_url: String::new(),
                attendees: Vec::new(),
                time_zone: Some("Europe/Paris".to_string()),
            },
        )
        .await
        .map_err(err)?;
    // The project's own forum and a shared document, so that its sections
    // are not empty on a first visit.
    let thread = academy
        .post_project_thread(
            camille,
            &project,
            "Quels kits pour commencer ?",
            "J’hésite entre des **robots à roues** programmables par blocs et des cartes à micro-contrôleur. Vos expériences ?",
        )
        .await
        .map_err(err)?;
    academy
        .reply_project_post(
            yann,
            &project,
            &thread,
            "Les robots à roues : les élèves voient tout de suite le résultat, on passe aux cartes ensuite.",
        )
        .await
        .map_err(err)?;
    academy
        .share_document(
            yann,
            &project,
            crate::domain::project_documents::Upload {
                file_name: "progression-robotique.md".to_string(),
                bytes: "# Progression\n\n1. Découverte des capteurs\n2. Premiers déplacements\n3. Défi final en équipes\n".as_bytes().to_vec(),
                version_of: None,
            },
        )
        .await
        .map_err(err)?;
    Ok(())
}

/// Starts the three instances on `base_port`, `base_port + 1` and
/// `base_port + 2` (free ports when 0), sets up the demo authority and its
/// attestations, seeds them, and returns them with a summary to print.
pub async fn start(
    data_root: &Path,
    base_port: u16,
) -> Result<(Vec<RunningInstance>, String), String> {
    // Ports first, so the authority can name each origin.
    let mut listeners = Vec::new();
    for index in 0..INSTANCES.len() {
        let port = if base_port == 0 {
            0
        } else {
            base_port + index as u16
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        listeners.push(
            TcpListener::bind(address)
                .await
                .map_err(|e| format!("cannot listen on {address}: {e}"))?,
        );
    }
    let key = authority_key(data_root)?;
    let mut running = Vec::new();
    for (index, (spec, listener)) in INSTANCES.iter().zip(listeners).enumerate() {
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let mut settings = demo_settings(data_root, index, port);
        set_up_trust(&mut settings, spec, &key)?;
        let instance = spawn_on(listener, settings, crate::domain::clock::Clock::system())
            .await
            .map_err(|e| e.to_string())?;
        seed(&instance, index).await?;
        running.push(instance);
    }
    seed_content(&running).await?;
    let urls: Vec<String> = running.iter().map(|r| r.base_url.clone()).collect();
    Ok((running, summary(data_root, &urls)))
}

/// What `preau demo` prints: the instances, their admins and password,
/// and what to open first.
fn summary(data_root: &Path, urls: &[String]) -> String {
    let host = |url: &str| url.trim_start_matches("http://").to_string();
    let mut summary = String::from("Préau demo: three instances on this machine\n");
    for ((spec, url), attested) in INSTANCES.iter().zip(urls).zip([true, true, false]) {
        summary.push_str(&format!(
            "\n  {} ({}{})\n    {url}\n    admin: {} · teachers: {}\n",
            spec.name,
            spec.level,
            if attested {
                format!(", attested by {DEMO_AUTHORITY}")
            } else {
                String::new()
            },
            spec.teachers[0].name,
            spec.teachers
                .iter()
                .map(|t| format!("{}@{}", t.name, host(url)))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    let academy = host(&urls[0]);
    summary.push_str(&format!(
        "\n  every demo account's password: {DEMO_PASSWORD}\n\n  open first:\n    1. {}/login as amina, then {}/forums/{}@{academy}: the academy's posts carry \"Institutionnel · Académie de Rennes · vérifié par {DEMO_AUTHORITY}\"; open \"pourquoi ?\" next to a label\n    2. {}/login as camille (admin of the academy): the forums, the project /projects/robotique with its event, /admin/instances\n    3. {}/login as lucas: the informal node, following the same forum\n\n  the demo authority's key and the attestations are under {}\n  mail is written under {}/*/outbox/\n  stop with Ctrl-C",
        urls[1],
        urls[1],
        ACADEMY_FORUMS[0].0,
        urls[0],
        urls[2],
        data_root.display(),
        data_root.display()
    ));
    summary
}
