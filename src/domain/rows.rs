//! The rows the edges (pages, JSON API, CLI) read, re-exported from the
//! store: handlers name them through the domain and never reach the store
//! module itself, so that it can become private to the domain.

pub use crate::domain::store::{
    accounts::{AccountId, AccountRow, AccountStatus},
    actors::{ActorId, ActorKindRow, ActorRow},
    contact_categories::{ContactCategoryId, ContactCategoryRow},
    contacts::ContactView,
    conversations::{
        Attachment, ConversationId, ConversationListRow, ConversationRow, LineRow, ParticipantRow,
        ParticipantState, ParticipantView,
    },
    forums::{FollowState, ForumRow},
    posts::{AuthorRef, PostId, PostKind, PostRow, PostView, ReportRow},
    profiles::ProfileRow,
    project_content::{
        DocumentView, EventRow, EventView, ProjectPostRow, ProjectPostView, VersionRow,
    },
    projects::{
        JoinMode, LogEntry, MemberRow, MemberState, MemberView, ProjectRow, ProjectStatus, Role,
        Visibility,
    },
    trust::{InstanceRow, TrustEvent},
    StoreError,
};
