//! Who else knows a local person: the instances of their contacts (and
//! of the people they asked or who asked them), of the projects they
//! belong to and those projects' members, of the remote forums they
//! posted in, and of the followers of the local forums they posted in.
//! Their profile changes are sent there.

use super::{actors::ActorId, Store, StoreResult};

impl Store {
    /// One inbox per remote instance that knows `person` (its shared
    /// inbox when it has one), sorted by host.
    pub async fn person_audience_inboxes(&self, person: ActorId) -> StoreResult<Vec<String>> {
        let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "WITH known (actor_id) AS ( \
               SELECT followed_id FROM follows WHERE follower_id = $1 \
               UNION SELECT follower_id FROM follows WHERE followed_id = $1 \
               UNION SELECT project_id FROM project_members WHERE actor_id = $1 \
                 AND state IN ('member', 'invited', 'requested') \
               UNION SELECT others.actor_id FROM project_members mine \
                 JOIN project_members others ON others.project_id = mine.project_id \
                 WHERE mine.actor_id = $1 AND mine.state = 'member' AND others.state = 'member' \
               UNION SELECT forum_id FROM posts WHERE author_id = $1 \
               UNION SELECT follows.follower_id FROM follows \
                 WHERE follows.state = 'accepted' AND follows.followed_id IN \
                   (SELECT forum_id FROM posts WHERE author_id = $1) \
             ) \
             SELECT actors.domain, actors.shared_inbox, actors.inbox FROM actors \
             JOIN known ON known.actor_id = actors.id \
             WHERE actors.domain <> '' ORDER BY actors.domain",
        )
        .bind(person.0)
        .fetch_all(self.pool())
        .await?;
        Ok(one_inbox_per_host(rows))
    }
}

/// One inbox per host: the first shared inbox named, else the first
/// personal inbox (rows sorted by host).
fn one_inbox_per_host(rows: Vec<(String, Option<String>, String)>) -> Vec<String> {
    let mut chosen: Vec<(String, String, bool)> = Vec::new();
    for (host, shared, inbox) in rows {
        let shared = shared.filter(|s| !s.is_empty());
        match chosen.iter_mut().find(|(h, _, _)| *h == host) {
            Some(entry) => {
                if !entry.2 {
                    if let Some(shared) = shared {
                        *entry = (host, shared, true);
                    }
                }
            }
            None => match shared {
                Some(shared) => chosen.push((host, shared, true)),
                None => chosen.push((host, inbox, false)),
            },
        }
    }
    chosen.into_iter().map(|(_, inbox, _)| inbox).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_instance_gets_one_inbox_its_shared_one_first() {
        let row = |host: &str, shared: Option<&str>, inbox: &str| {
            (
                host.to_string(),
                shared.map(str::to_string),
                inbox.to_string(),
            )
        };
        let inboxes = one_inbox_per_host(vec![
            row("a.example", None, "https://a.example/u/ana/inbox"),
            row(
                "a.example",
                Some("https://a.example/inbox"),
                "https://a.example/u/bo/inbox",
            ),
            row(
                "a.example",
                Some("https://a.example/inbox"),
                "https://a.example/f/x/inbox",
            ),
            row("b.example", None, "https://b.example/u/cy/inbox"),
            row("b.example", None, "https://b.example/u/di/inbox"),
            row("c.example", Some(""), "https://c.example/u/ed/inbox"),
        ]);
        assert_eq!(
            inboxes,
            [
                "https://a.example/inbox",
                "https://b.example/u/cy/inbox",
                "https://c.example/u/ed/inbox"
            ]
        );
    }
}
