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

/// The page where a forgotten password is asked for.
pub fn forgot_password(base: &str) -> String {
    format!("{base}/password/forgot")
}

/// `BASE/forums/NAME`: a forum's actor id and HTML page.
pub fn forum(base: &str, name: &str) -> String {
    format!("{base}/forums/{name}")
}

/// A forum's followers collection, from its actor id.
pub fn forum_followers_of(forum_ap_id: &str) -> String {
    format!("{forum_ap_id}/followers")
}

/// `BASE/projects/NAME`: a project space's actor id and HTML page.
pub fn project(base: &str, name: &str) -> String {
    format!("{base}/projects/{name}")
}

/// A project's members collection, from its actor id.
pub fn project_members_of(project_ap_id: &str) -> String {
    format!("{project_ap_id}/members")
}

/// The id of a person's membership of a project: the same in the members
/// collection and in role changes, whoever writes it.
pub fn project_member(project_ap_id: &str, person_ap_id: &str) -> String {
    let person: String = url::form_urlencoded::byte_serialize(person_ap_id.as_bytes()).collect();
    format!("{project_ap_id}/members#{person}")
}

/// A project's activity collection (joins, leaves…), from its actor id.
pub fn project_activity_of(project_ap_id: &str) -> String {
    format!("{project_ap_id}/activity")
}

/// The members-only collection of what a project holds (threads, replies,
/// documents, events), read by a member's instance that arrives late.
pub fn project_content_of(project_ap_id: &str) -> String {
    format!("{project_ap_id}/content")
}

/// A new membership's id: the id of the `Invite` or `Join` that starts it
/// (Mobilizon's convention).
pub fn project_membership(base: &str) -> String {
    format!("{base}/memberships/{}", random_token())
}

/// A new members-only object of a project (post, document, event).
pub fn project_object(base: &str, token: &str) -> String {
    format!("{base}/objects/{token}")
}

/// A new local post's id.
pub fn post(base: &str, token: &str) -> String {
    format!("{base}/posts/{token}")
}

/// The FEP-7888 context collection of a thread, from its id.
pub fn thread_context_of(thread_ap_id: &str) -> String {
    format!("{thread_ap_id}/context")
}

/// The FEP-7888 context collection this instance serves for a thread
/// started elsewhere in one of its forums (a Mastodon post mentioning the
/// forum, say), by database id.
pub fn hosted_thread_context(base: &str, thread_id: i64) -> String {
    format!("{}/contexts/{thread_id}", base.trim_end_matches('/'))
}

/// The local page of a thread (local or remote), by database id.
pub fn thread_page(thread_id: i64) -> String {
    format!("/threads/{thread_id}")
}

/// A random URL-safe token for ids of local objects and activities.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The path of a signed one-click unsubscribe link (`kind`: a
/// notification kind or `digest`).
pub fn unsubscribe(account: i64, kind: &str, signature: &str) -> String {
    format!("/unsubscribe/{account}/{kind}/{signature}")
}

/// One round of percent-decoding; invalid escapes stay as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
