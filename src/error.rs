//! The one error type at the HTTP edge.
//!
//! Every failure a client can see has an HTTP status, a stable snake_case
//! code (documented in docs/api.md) and a human message. Pages show the
//! message in the reader's language; the JSON API returns
//! `{"error": {"code", "message"}}`. Internal causes are logged, never sent.

use crate::domain::Refusal;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// An error a client receives.
#[derive(Debug, Clone)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code, also the message catalog key `error-CODE`.
    pub code: &'static str,
    /// Extra detail in English for the JSON API (never an internal cause).
    pub detail: Option<String>,
}

impl AppError {
    /// An error with a status and code.
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        AppError {
            status,
            code,
            detail: None,
        }
    }

    /// Adds a detail, for instance the field that failed validation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A 500 whose cause is logged here and hidden from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        AppError::new(StatusCode::NOT_FOUND, "not_found")
    }

    /// The English message for the JSON API.
    pub fn english_message(&self) -> String {
        let base = crate::i18n::Catalogs::english_error(self.code);
        match &self.detail {
            Some(detail) => format!("{base} ({detail})"),
            None => base,
        }
    }
}

/// A database failure below the domain: a 500, through [`DomainError`].
///
/// [`DomainError`]: crate::domain::DomainError
impl From<crate::domain::rows::StoreError> for AppError {
    fn from(error: crate::domain::rows::StoreError) -> Self {
        crate::domain::DomainError::from(error).into()
    }
}

impl From<crate::domain::DomainError> for AppError {
    fn from(error: crate::domain::DomainError) -> Self {
        use crate::domain::DomainError as E;
        match error {
            E::Store(inner) => AppError::internal(inner),
            E::Internal(inner) => AppError::internal(inner),
            E::Mail(inner) => {
                tracing::warn!(cause = %inner, "mail could not be sent");
                AppError::new(StatusCode::SERVICE_UNAVAILABLE, "mail_unavailable")
            }
            E::Refused(refusal) => {
                let error = AppError::new(status_of(&refusal), refusal.code());
                match refusal.detail() {
                    Some(detail) => error.with_detail(detail),
                    None => error,
                }
            }
        }
    }
}

/// The HTTP status of each domain refusal: the one place where statuses
/// are decided (404 absent, 403 forbidden, 409 in conflict with the present
/// state, 422 invalid input…).
pub fn status_of(refusal: &Refusal) -> StatusCode {
    use Refusal as R;
    match refusal {
        R::InvalidToken | R::InvalidHandle => StatusCode::BAD_REQUEST,
        R::InvalidUnsubscribeLink | R::InvalidReplyAddress | R::ReplySenderMismatch => {
            StatusCode::FORBIDDEN
        }
        R::EmptyReply => StatusCode::UNPROCESSABLE_ENTITY,
        R::ReplyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        R::ReplyThreadClosed | R::ReplyAlreadyPosted => StatusCode::CONFLICT,
        R::InvalidCredentials => StatusCode::UNAUTHORIZED,
        R::AccountPendingApproval
        | R::AccountSuspended
        | R::AccountRefused
        | R::AuthorIsLocal
        | R::AuthorMismatch
        | R::BannedFromForum
        | R::CannotRemoveMember
        | R::EmailNotVerified
        | R::MessagingOff
        | R::MessagingNotAllowed
        | R::Forbidden
        | R::ForumLevelTooLow
        | R::MemberLevelTooLow
        | R::NotModerator
        | R::NotContentAuthor
        | R::NotProjectMember
        | R::NotConversationParticipant
        | R::NotAParticipant
        | R::NotConversationCreator
        | R::InviteeNotAContact
        | R::ConversationLevelTooLow
        | R::ServerNotAMember
        | R::InviteNotFromProject
        | R::NotProjectModerator
        | R::NotProjectOwner
        | R::ProjectInviteOnly
        | R::RegistrationsClosed
        | R::WrongForum => StatusCode::FORBIDDEN,
        R::AccountNotFound | R::NotFound | R::PersonNotFound => StatusCode::NOT_FOUND,
        R::AccountAlreadyActive
        | R::AccountAlreadySuspended
        | R::AccountAlreadyRefused
        | R::AlreadyContact
        | R::AlreadyInvited
        | R::AlreadyMember
        | R::AlreadyRequested
        | R::AwaitingVerification
        | R::CannotRemoveSelf
        | R::ContactAlreadyRequested
        | R::ForumIsLocal
        | R::ForumIsRemote
        | R::LastAdmin
        | R::LastOwner
        | R::NoContactRequest
        | R::NotAContact
        | R::NoInvitation
        | R::NoConversationInvitation
        | R::NoMessageRequest
        | R::DirectConversation
        | R::AlreadyParticipant
        | R::NotCurrentParticipant
        | R::NoRequest
        | R::NotCurrentMember
        | R::NothingToAnswer
        | R::ReportClosed
        | R::OneStepAtATime
        | R::OwnPost
        | R::ProjectIsRemote
        | R::RoleUnchanged
        | R::ThreadLocked
        | R::CannotBanModerator
        | R::CannotBanOwnInstance
        | R::AlreadyBlocked
        | R::NotBlocked
        | R::PersonBlocked => StatusCode::CONFLICT,
        R::PostDeleted => StatusCode::GONE,
        R::DocumentTooLarge | R::AvatarTooLarge | R::AvatarDimensionsTooLarge => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        R::AvatarUnreadable => StatusCode::UNPROCESSABLE_ENTITY,
        R::DocumentTypeRefused => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        R::AttendeeNotMember(_)
        | R::CharterNotAccepted(_)
        | R::ContactSelf
        | R::BlockSelf
        | R::EmailDomainNotAllowed(_)
        | R::EmailTaken(_)
        | R::EndsBeforeStart(_)
        | R::FieldRequired(_)
        | R::ManualNoteRequired(_)
        | R::InvalidTrustLevel(_)
        | R::FieldTooLong(_)
        | R::InvalidChoice(_)
        | R::InvalidCoordinates(_)
        | R::InvalidDate(_)
        | R::UnknownTimeZone(_)
        | R::InvalidEmail(_)
        | R::InvalidForumName(_)
        | R::InvalidLanguage(_)
        | R::InvalidLevel(_)
        | R::InvalidPage(_)
        | R::InvalidProjectName(_)
        | R::InvalidRadius(_)
        | R::InvalidRemoteUsername(_)
        | R::InvalidSchoolLevel(_)
        | R::InvalidUrl(_)
        | R::InvalidUsername(_)
        | R::MarkdownTooDeep(_)
        | R::NameTaken(_)
        | R::NotAPerson
        | R::InviteeWithoutMessaging
        | R::NotAThread
        | R::ParentInOtherForum
        | R::ParentUnknown
        | R::PasswordTooLong(_)
        | R::PasswordTooShort(_)
        | R::PlaceAmbiguous(_)
        | R::PlaceUnknown(_)
        | R::ProjectsOnlyCriterion(_)
        | R::TooManyItems(_)
        | R::TooManyMentions(_)
        | R::UnknownNotificationKind(_)
        | R::UnknownParent
        | R::UsernameReserved(_)
        | R::UsernameTaken(_) => StatusCode::UNPROCESSABLE_ENTITY,
        R::BusyTryLater | R::ParticipationPending => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl Refusal {
    /// The stable snake_case code of a refusal, documented in docs/api.md and
    /// the key of its message (`error-CODE`). Two variants share a code where
    /// one code names two situations (`not_project_member`,
    /// `email_not_verified`, `wrong_forum`).
    pub fn code(&self) -> &'static str {
        use Refusal as R;
        match self {
            R::InvalidToken => "invalid_token",
            R::InvalidHandle => "invalid_handle",
            R::InvalidCredentials => "invalid_credentials",
            R::AccountPendingApproval => "account_pending_approval",
            R::AccountSuspended => "account_suspended",
            R::AccountRefused => "account_refused",
            R::AuthorIsLocal => "author_is_local",
            R::AuthorMismatch => "author_mismatch",
            R::BannedFromForum => "banned_from_forum",
            R::CannotRemoveMember => "cannot_remove_member",
            R::EmailNotVerified => "email_not_verified",
            R::MessagingOff => "messaging_off",
            R::MessagingNotAllowed => "messaging_not_allowed",
            R::Forbidden => "forbidden",
            R::ForumLevelTooLow => "forum_level_too_low",
            R::MemberLevelTooLow => "member_level_too_low",
            R::NotModerator => "not_moderator",
            R::NotContentAuthor => "not_content_author",
            R::NotProjectMember => "not_project_member",
            R::NotConversationParticipant => "not_conversation_participant",
            R::NotConversationCreator => "not_conversation_creator",
            R::InviteeNotAContact => "invitee_not_a_contact",
            R::ConversationLevelTooLow => "conversation_level_too_low",
            R::NotAParticipant => "not_a_participant",
            R::InviteeWithoutMessaging => "invitee_without_messaging",
            R::NoConversationInvitation => "no_conversation_invitation",
            R::NoMessageRequest => "no_message_request",
            R::DirectConversation => "direct_conversation",
            R::AlreadyParticipant => "already_participant",
            R::NotCurrentParticipant => "not_current_participant",
            R::ServerNotAMember => "not_a_member",
            R::InviteNotFromProject => "invite_not_from_project",
            R::NotProjectModerator => "not_project_moderator",
            R::NotProjectOwner => "not_project_owner",
            R::ProjectInviteOnly => "project_invite_only",
            R::RegistrationsClosed => "registrations_closed",
            R::WrongForum => "wrong_forum",
            R::AccountNotFound => "account_not_found",
            R::NotFound => "not_found",
            R::PersonNotFound => "person_not_found",
            R::AccountAlreadyActive => "account_already_active",
            R::AccountAlreadyRefused => "account_already_refused",
            R::AccountAlreadySuspended => "account_already_suspended",
            R::AlreadyContact => "already_contact",
            R::AlreadyInvited => "already_invited",
            R::AlreadyMember => "already_member",
            R::AlreadyRequested => "already_requested",
            R::AwaitingVerification => "email_not_verified",
            R::CannotRemoveSelf => "cannot_remove_self",
            R::ContactAlreadyRequested => "contact_already_requested",
            R::ForumIsLocal => "forum_is_local",
            R::ForumIsRemote => "forum_is_remote",
            R::LastAdmin => "last_admin",
            R::LastOwner => "last_owner",
            R::NoContactRequest => "no_contact_request",
            R::NotAContact => "not_a_contact",
            R::NoInvitation => "no_invitation",
            R::NoRequest => "no_request",
            R::ReportClosed => "report_closed",
            R::NotCurrentMember => "not_project_member",
            R::NothingToAnswer => "nothing_to_answer",
            R::OneStepAtATime => "one_step_at_a_time",
            R::OwnPost => "own_post",
            R::ProjectIsRemote => "project_is_remote",
            R::RoleUnchanged => "role_unchanged",
            R::ThreadLocked => "thread_locked",
            R::CannotBanModerator => "cannot_ban_moderator",
            R::CannotBanOwnInstance => "cannot_ban_own_instance",
            R::PostDeleted => "post_deleted",
            R::DocumentTooLarge => "document_too_large",
            R::DocumentTypeRefused => "document_type_refused",
            R::AvatarTooLarge => "avatar_too_large",
            R::AvatarDimensionsTooLarge => "avatar_dimensions_too_large",
            R::AvatarUnreadable => "avatar_unreadable",
            R::AttendeeNotMember(_) => "attendee_not_member",
            R::CharterNotAccepted(_) => "charter_not_accepted",
            R::ContactSelf => "contact_self",
            R::BlockSelf => "block_self",
            R::AlreadyBlocked => "already_blocked",
            R::NotBlocked => "not_blocked",
            R::PersonBlocked => "person_blocked",
            R::EmailDomainNotAllowed(_) => "email_domain_not_allowed",
            R::EmailTaken(_) => "email_taken",
            R::EndsBeforeStart(_) => "ends_before_start",
            R::FieldRequired(_) => "field_required",
            R::ManualNoteRequired(_) => "manual_note_required",
            R::InvalidTrustLevel(_) => "invalid_trust_level",
            R::FieldTooLong(_) => "field_too_long",
            R::InvalidChoice(_) => "invalid_choice",
            R::InvalidCoordinates(_) => "invalid_coordinates",
            R::InvalidDate(_) => "invalid_date",
            R::UnknownTimeZone(_) => "unknown_time_zone",
            R::InvalidEmail(_) => "invalid_email",
            R::InvalidForumName(_) => "invalid_forum_name",
            R::InvalidLanguage(_) => "invalid_language",
            R::InvalidLevel(_) => "invalid_level",
            R::InvalidPage(_) => "invalid_page",
            R::InvalidProjectName(_) => "invalid_project_name",
            R::InvalidRadius(_) => "invalid_radius",
            R::InvalidRemoteUsername(_) => "invalid_remote_username",
            R::InvalidSchoolLevel(_) => "invalid_school_level",
            R::InvalidUrl(_) => "invalid_url",
            R::InvalidUsername(_) => "invalid_username",
            R::MarkdownTooDeep(_) => "markdown_too_deep",
            R::NameTaken(_) => "name_taken",
            R::NotAPerson => "not_a_person",
            R::NotAThread => "not_a_thread",
            R::ParentInOtherForum => "wrong_forum",
            R::ParentUnknown => "parent_unknown",
            R::PasswordTooLong(_) => "password_too_long",
            R::PasswordTooShort(_) => "password_too_short",
            R::PlaceAmbiguous(_) => "place_ambiguous",
            R::PlaceUnknown(_) => "place_unknown",
            R::ProjectsOnlyCriterion(_) => "projects_only_criterion",
            R::TooManyItems(_) => "too_many_items",
            R::TooManyMentions(_) => "too_many_mentions",
            R::UnknownNotificationKind(_) => "unknown_notification_kind",
            R::InvalidUnsubscribeLink => "invalid_unsubscribe_link",
            R::InvalidReplyAddress => "invalid_reply_address",
            R::ReplySenderMismatch => "reply_sender_mismatch",
            R::EmptyReply => "empty_reply",
            R::ReplyTooLarge => "reply_too_large",
            R::ReplyAlreadyPosted => "reply_already_posted",
            R::ReplyThreadClosed => "reply_thread_closed",
            R::UnknownParent => "unknown_parent",
            R::UsernameReserved(_) => "username_reserved",
            R::UsernameTaken(_) => "username_taken",
            R::BusyTryLater => "busy_try_later",
            R::ParticipationPending => "participation_pending",
        }
    }
}

impl AppError {
    /// The JSON error response (API and federation routes).
    pub fn into_response_json(self) -> Response {
        json_error(&self)
    }
}

/// The JSON shape of an API error.
pub fn json_error(error: &AppError) -> Response {
    let mut body = json!({
        "error": { "code": error.code, "message": error.english_message() }
    });
    if let Some(detail) = &error.detail {
        body["error"]["detail"] = json!(detail);
    }
    (error.status, Json(body)).into_response()
}

/// Used where the API returns errors directly.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        json_error(&self)
    }
}
