//! What the benches write straight into the store before they load it:
//! stand-in local actors, forums, and threads of ten posts.

use preau::domain::store::{
    actors::{ActorId, ActorKindRow, NewActor},
    forums::{insert_forum, NewForum},
    posts::{insert_post, NewPost, PostId, PostKind},
    Tx,
};

/// A local actor of `kind` named `name`, with stand-in keys (the bench
/// never signs as it).
pub(super) fn actor(kind: ActorKindRow, name: &str) -> NewActor {
    NewActor {
        kind,
        name: name.to_string(),
        domain: String::new(),
        ap_id: format!("http://localhost/x/{name}"),
        inbox: format!("http://localhost/x/{name}/inbox"),
        shared_inbox: None,
        display_name: name.to_string(),
        summary_html: String::new(),
        public_key_pem: "PEM".into(),
        private_key_pem: Some("PRIVATE".into()),
        declared_trust: None,
    }
}

/// `count` local forums, `forum0` ("Forum 0") onwards, open to everyone.
pub(super) async fn insert_forums(tx: &mut Tx, count: usize) -> Vec<ActorId> {
    let mut forums = Vec::with_capacity(count);
    for i in 0..count {
        forums.push(
            insert_forum(
                tx,
                &NewForum {
                    actor: actor(ActorKindRow::Group, &format!("forum{i}")),
                    title: format!("Forum {i}"),
                    description_source: String::new(),
                    description_html: String::new(),
                    moderators_url: None,
                    featured_url: None,
                    created_by: None,
                    min_post_level: preau_federation::TrustLevel::Informal,
                },
            )
            .await
            .expect("forum"),
        );
    }
    forums
}

/// A forum post to seed: the title is kept only when it opens a thread.
pub(super) struct SeedPost {
    pub forum: ActorId,
    pub author: ActorId,
    pub title: String,
    /// Markdown source.
    pub source: String,
    pub content_html: String,
    pub published_at: i64,
}

/// Forum posts in threads of ten: post `i` opens a thread when `i` is a
/// multiple of ten, and replies to the last one opened otherwise.
#[derive(Default)]
pub(super) struct Threads {
    opened: Option<PostId>,
}

impl Threads {
    /// Inserts post `i` (its ActivityPub id `http://localhost/posts/{i}`).
    pub(super) async fn insert(&mut self, tx: &mut Tx, i: usize, post: SeedPost) -> PostId {
        let opens = i % 10 == 0 || self.opened.is_none();
        let thread = if opens { None } else { self.opened };
        let id = insert_post(
            tx,
            &NewPost {
                ap_id: format!("http://localhost/posts/{i}"),
                kind: if opens {
                    PostKind::Thread
                } else {
                    PostKind::Reply
                },
                forum_id: post.forum,
                thread_id: thread,
                in_reply_to_id: thread,
                author_id: post.author,
                title: if opens { post.title } else { String::new() },
                source: post.source,
                content_html: post.content_html,
                context_url: None,
                published_at: post.published_at,
                local: true,
            },
        )
        .await
        .expect("post");
        if opens {
            self.opened = Some(id);
        }
        id
    }
}
