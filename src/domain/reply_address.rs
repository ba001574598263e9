//! Reply addresses: each mail about a thread (a notification, a mailing-list
//! copy) carries a `Reply-To` address that is that teacher's, for that
//! thread only: `reply+f<thread>.<account>.<signature>@<reply domain>`
//! (`p` instead of `f` for a project forum's thread). The signature is an
//! HMAC-SHA256 of the three, keyed from the instance key and cut to 128
//! bits, so an address can be neither guessed nor moved to another thread
//! or teacher. Lower-case hexadecimal keeps it intact through mail systems
//! that change the case of local parts.

use super::{Domain, DomainError, DomainResult};
use crate::domain::store::{accounts::AccountId, posts::PostId};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The local part's prefix every reply address starts with.
pub const PREFIX: &str = "reply+";
/// Hexadecimal characters of the signature (128 bits).
const SIGNATURE_HEX: usize = 32;

/// The thread a reply address answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyThread {
    /// A thread of a forum (`posts.id` of its first post).
    Forum(PostId),
    /// A thread of a project's forum (`project_posts.id` of its first post).
    Project(i64),
}

impl ReplyThread {
    fn tag(self) -> (char, i64) {
        match self {
            ReplyThread::Forum(post) => ('f', post.0),
            ReplyThread::Project(post) => ('p', post),
        }
    }
}

/// Who answers, and where, as read back from a reply address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTarget {
    /// The teacher the address was made for.
    pub account: AccountId,
    /// The thread it answers.
    pub thread: ReplyThread,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn sign(key: &[u8], account: AccountId, thread: ReplyThread) -> DomainResult<String> {
    let (tag, id) = thread.tag();
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|error| DomainError::Internal(error.to_string()))?;
    mac.update(format!("{tag}{id}.{}", account.0).as_bytes());
    let mut signature = hex(&mac.finalize().into_bytes());
    signature.truncate(SIGNATURE_HEX);
    Ok(signature)
}

/// Reads `reply+<tag><thread>.<account>.<signature>` (the local part,
/// any case), without checking the signature.
fn parse_local(local: &str) -> Option<(ReplyTarget, String)> {
    let local = local.to_ascii_lowercase();
    let rest = local.strip_prefix(PREFIX)?;
    let mut parts = rest.split('.');
    let (thread, account, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || signature.len() != SIGNATURE_HEX {
        return None;
    }
    let number = |text: &str| -> Option<i64> {
        (!text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    let id = number(thread.get(1..)?)?;
    let thread = match thread.as_bytes().first()? {
        b'f' => ReplyThread::Forum(PostId(id)),
        b'p' => ReplyThread::Project(id),
        _ => return None,
    };
    let account = AccountId(number(account)?);
    Some((ReplyTarget { account, thread }, signature.to_string()))
}

impl Domain {
    /// The key reply addresses are signed with, derived from the instance
    /// actor's private key (as the unsubscribe links', under another label).
    pub(super) async fn reply_address_key(&self) -> DomainResult<Vec<u8>> {
        self.instance_derived_key(b"preau reply addresses\0").await
    }

    /// A key derived from the instance actor's private key under `label`,
    /// the secret this instance already keeps (reply addresses and
    /// unsubscribe links each have their own label).
    pub(super) async fn instance_derived_key(&self, label: &[u8]) -> DomainResult<Vec<u8>> {
        let actor = self.ensure_instance_actor().await?;
        let secret = actor
            .private_key_pem
            .ok_or_else(|| DomainError::Internal("instance actor without a key".into()))?;
        let mut hasher = Sha256::new();
        hasher.update(label);
        hasher.update(secret.as_bytes());
        Ok(hasher.finalize().to_vec())
    }

    /// The domain after the `@` of reply addresses: `mail.reply_domain`,
    /// else the instance's host name (without its port).
    pub fn reply_domain(&self) -> String {
        let configured = self.settings.mail.reply_domain.trim();
        if !configured.is_empty() {
            return configured.to_ascii_lowercase();
        }
        let domain = &self.settings.instance.domain;
        domain
            .rsplit_once(':')
            .map_or(domain.as_str(), |(host, _)| host)
            .to_ascii_lowercase()
    }

    /// The reply address of `account` for `thread`.
    pub async fn reply_address(
        &self,
        account: AccountId,
        thread: ReplyThread,
    ) -> DomainResult<String> {
        let key = self.reply_address_key().await?;
        self.reply_address_with(&key, account, thread)
    }

    /// The reply address of `account` for `thread`, signed with `key`
    /// (from `reply_address_key`, read once for a batch of mails).
    pub(super) fn reply_address_with(
        &self,
        key: &[u8],
        account: AccountId,
        thread: ReplyThread,
    ) -> DomainResult<String> {
        let (tag, id) = thread.tag();
        Ok(format!(
            "{PREFIX}{tag}{id}.{}.{}@{}",
            account.0,
            sign(key, account, thread)?,
            self.reply_domain()
        ))
    }

    /// Reads a reply address back: `Some` only for an address of this
    /// instance's reply domain whose signature matches. The account and
    /// thread are not looked up here: whether the teacher may still post
    /// there is the receiver's question.
    pub async fn read_reply_address(&self, address: &str) -> DomainResult<Option<ReplyTarget>> {
        let address = address.trim().trim_start_matches('<').trim_end_matches('>');
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Ok(None);
        };
        if !domain.eq_ignore_ascii_case(&self.reply_domain()) {
            return Ok(None);
        }
        let Some((target, signature)) = parse_local(local) else {
            return Ok(None);
        };
        let key = self.reply_address_key().await?;
        let expected = sign(&key, target.account, target.thread)?;
        let matches: bool =
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.as_bytes()).into();
        Ok(matches.then_some(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_parts_read_back_and_refuse_the_malformed() {
        let (target, signature) =
            parse_local("Reply+F12.7.0123456789abcdef0123456789ABCDEF").expect("parsed");
        assert_eq!(target.thread, ReplyThread::Forum(PostId(12)));
        assert_eq!(target.account, AccountId(7));
        assert_eq!(signature, "0123456789abcdef0123456789abcdef");
        let (target, _) = parse_local("reply+p3.9.0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(target.thread, ReplyThread::Project(3));
        for bad in [
            "reply+f12.7",
            "reply+x12.7.0123456789abcdef0123456789abcdef",
            "reply+f.7.0123456789abcdef0123456789abcdef",
            "reply+f12.-7.0123456789abcdef0123456789abcdef",
            "reply+f12.7.0123",
            "reply+f12.7.0123456789abcdef0123456789abcdef.1",
            "noreply",
        ] {
            assert!(parse_local(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn signatures_bind_the_teacher_and_the_thread() {
        let key = b"key";
        let one = sign(key, AccountId(1), ReplyThread::Forum(PostId(2))).unwrap();
        assert_eq!(one.len(), SIGNATURE_HEX);
        assert_ne!(
            one,
            sign(key, AccountId(2), ReplyThread::Forum(PostId(2))).unwrap()
        );
        assert_ne!(
            one,
            sign(key, AccountId(1), ReplyThread::Project(2)).unwrap()
        );
        assert_ne!(
            one,
            sign(b"other", AccountId(1), ReplyThread::Forum(PostId(2))).unwrap()
        );
    }
}
