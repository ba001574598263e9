//! The public URLs of local things, built in one place so ids never drift.

/// `BASE/users/NAME`: a person's actor id and HTML profile page.
pub fn person(base: &str, name: &str) -> String {
    format!("{base}/users/{name}")
}

/// A person's inbox.
pub fn person_inbox(base: &str, name: &str) -> String {
    format!("{base}/users/{name}/inbox")
}

/// A person's outbox.
pub fn person_outbox(base: &str, name: &str) -> String {
    format!("{base}/users/{name}/outbox")
}

/// A person's followers collection.
pub fn person_followers(base: &str, name: &str) -> String {
    format!("{base}/users/{name}/followers")
}

/// A person's following collection.
pub fn person_following(base: &str, name: &str) -> String {
    format!("{base}/users/{name}/following")
}

/// The id of an actor's key.
pub fn key_id(actor_id: &str) -> String {
    format!("{actor_id}#main-key")
}

/// The instance actor (FEP-2677).
pub fn instance_actor(base: &str) -> String {
    format!("{base}/actor")
}

/// The shared inbox of the whole instance.
pub fn shared_inbox(base: &str) -> String {
    format!("{base}/inbox")
}

/// The e-mail verification link.
pub fn verify_email(base: &str, token: &str) -> String {
    format!("{base}/verify?token={token}")
}

/// The password reset link.
pub fn reset_password(base: &str, token: &str) -> String {
    format!("{base}/password/reset?token={token}")
}
