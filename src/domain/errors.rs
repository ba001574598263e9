//! What a domain rule refuses: [`Refusal`], one variant per stable code,
//! with the field or value at fault where there is one.
//!
//! The domain only says *what* was refused. The HTTP edge decides the
//! status and the stable snake_case code of each refusal, in one table
//! (`crate::error`: `status_of` and `Refusal::code`). Not to be confused
//! with [`super::refusals`], what a remote server refused of ours.

/// Declares [`Refusal`] and [`Refusal::all`] from one list, so that the
/// list of every refusal (used to check every code has a message) cannot
/// miss a variant.
macro_rules! refusals {
    ($($(#[$meta:meta])* $name:ident $(($detail:ty))?,)*) => {
        /// A rule refused the request. Variants carrying a `String` name the
        /// field at fault (`"title"`), sometimes followed by `": "` and the
        /// value or the accepted choices.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Refusal {
            $($(#[$meta])* $name $(($detail))?,)*
        }

        impl Refusal {
            /// One of each refusal (details empty): for checks over every code.
            pub fn all() -> Vec<Refusal> {
                vec![$(Refusal::$name $((<$detail>::default()))?,)*]
            }
        }
    };
}

refusals! {
    // Bad requests and credentials.
    /// This link is not valid or has expired. Ask for a new one.
    InvalidToken,
    /// Invalid handle: expected name@domain.
    InvalidHandle,
    /// This unsubscribe link is not valid: its signature does not match. Use the link of a
    /// recent mail, or change your settings after logging in.
    InvalidUnsubscribeLink,
    /// This reply address is not valid (altered, or its account cannot post any more): reply
    /// from the site.
    InvalidReplyAddress,
    /// A reply by mail must come from the address of the account it was sent to.
    ReplySenderMismatch,
    /// A reply by mail carries no text of its own once quotes and signature are removed.
    EmptyReply,
    /// A reply by mail is larger than the receiver takes.
    ReplyTooLarge,
    /// This message was already posted as a reply (the same Message-ID delivered again).
    ReplyAlreadyPosted,
    /// Wrong username or password.
    InvalidCredentials,
    // Forbidden: the caller may not do this.
    /// Your sign-up is waiting for an admin's approval.
    AccountPendingApproval,
    /// This account is suspended.
    AccountSuspended,
    /// This sign-up was refused by an admin.
    AccountRefused,
    /// Content attributed to a member of this instance cannot come from elsewhere.
    AuthorIsLocal,
    /// The post's author is not the activity's actor.
    AuthorMismatch,
    /// This forum's moderators banned you from it: you cannot post there.
    BannedFromForum,
    /// Only an owner can remove a moderator or an owner.
    CannotRemoveMember,
    /// Log-in with an e-mail address not verified yet.
    EmailNotVerified,
    /// Messages are turned off on this instance.
    MessagingOff,
    /// Messages on this instance are open to some accounts only.
    MessagingNotAllowed,
    /// You do not have access to this page.
    Forbidden,
    /// This forum only accepts authors whose trust level, as this instance verifies it, is
    /// higher than yours.
    ForumLevelTooLow,
    /// This project does not accept members of this trust level.
    MemberLevelTooLow,
    /// Only this forum's moderators can do that.
    NotModerator,
    /// Only its author can change this post, document or event.
    NotContentAuthor,
    /// The caller is not a member of the project.
    NotProjectMember,
    /// Only the participants of a conversation who joined it can read it or write in it.
    NotConversationParticipant,
    /// Only the creator of a conversation can remove a participant.
    NotConversationCreator,
    /// Only your accepted contacts can be invited to a conversation.
    InviteeNotAContact,
    /// This conversation does not accept participants of this trust level.
    ConversationLevelTooLow,
    /// Only instances with a participant in this conversation may read it.
    NotAParticipant,
    /// This person cannot use messages on their instance (turned off, or not for their
    /// account).
    InviteeWithoutMessaging,
    /// An invitation must come from the instance hosting the project.
    InviteNotFromProject,
    /// The reading server hosts no member of the project.
    ServerNotAMember,
    /// For project moderators only.
    NotProjectModerator,
    /// For project owners only.
    NotProjectOwner,
    /// This project only takes new members by invitation.
    ProjectInviteOnly,
    /// Sign-ups are closed on this instance.
    RegistrationsClosed,
    /// A forum relays or acts on a post that is not its own.
    WrongForum,
    // Absent.
    /// No account has this name.
    AccountNotFound,
    /// This page does not exist.
    NotFound,
    /// Nobody has this handle, here or on the instance it names.
    PersonNotFound,
    // In conflict with the present state.
    /// This account is already active.
    AccountAlreadyActive,
    /// This account is already suspended.
    AccountAlreadySuspended,
    /// This sign-up was already refused.
    AccountAlreadyRefused,
    /// You are already contacts.
    AlreadyContact,
    /// This person is already invited.
    AlreadyInvited,
    /// This person is already a member of the project.
    AlreadyMember,
    /// Your request has already been sent.
    AlreadyRequested,
    /// An admin approves an account whose e-mail address is not verified yet (the code of
    /// `EmailNotVerified`, refused at log-in).
    AwaitingVerification,
    /// To go, use "Leave the project".
    CannotRemoveSelf,
    /// A contact request between you is already pending.
    ContactAlreadyRequested,
    /// This forum is on this instance: no need to follow it.
    ForumIsLocal,
    /// This forum is hosted on another instance: it is moderated there.
    ForumIsRemote,
    /// The last active admin cannot be suspended.
    LastAdmin,
    /// The last owner cannot leave or be demoted: hand the project over first.
    LastOwner,
    /// No pending contact request from this person.
    NoContactRequest,
    /// This person is not among your contacts (nor asked, nor refused).
    NotAContact,
    /// No pending invitation for this project.
    NoInvitation,
    /// No pending invitation to this conversation.
    NoConversationInvitation,
    /// No message request waiting in this conversation.
    NoMessageRequest,
    /// A direct conversation is between two people: nobody can be invited or removed.
    DirectConversation,
    /// This person already takes part in the conversation.
    AlreadyParticipant,
    /// This person no longer takes part in the conversation, nor is invited.
    NotCurrentParticipant,
    /// No pending join request for this person.
    NoRequest,
    /// The person acted upon is not a current member of the project (the code of
    /// `NotProjectMember`, where the caller lacks membership).
    NotCurrentMember,
    /// There is nothing to accept or decline here.
    NothingToAnswer,
    /// This report is already handled (resolved or dismissed).
    ReportClosed,
    /// Roles change one step at a time.
    OneStepAtATime,
    /// You cannot mark your own message as helpful.
    OwnPost,
    /// This project is hosted on another instance: edit it there.
    ProjectIsRemote,
    /// This role cannot go further.
    RoleUnchanged,
    /// This thread is locked: it accepts no more replies.
    ThreadLocked,
    /// A forum's moderator (or an admin of its instance) cannot be banned from it.
    CannotBanModerator,
    /// A forum cannot ban the instance that hosts it.
    CannotBanOwnInstance,
    /// You already blocked this person.
    AlreadyBlocked,
    /// You have not blocked this person.
    NotBlocked,
    /// You blocked this person: unblock them first.
    PersonBlocked,
    /// The thread a reply by mail answers no longer takes this teacher's replies (locked,
    /// deleted, banned, no longer a member).
    ReplyThreadClosed,
    // Gone.
    /// This message was deleted.
    PostDeleted,
    // Uploads refused.
    /// This document is larger than allowed.
    DocumentTooLarge,
    /// This type of file is not accepted.
    DocumentTypeRefused,
    /// This image file is larger than an avatar may be.
    AvatarTooLarge,
    /// This image is wider or taller than an avatar may be.
    AvatarDimensionsTooLarge,
    /// This file is not an image that can be read (PNG, JPEG, WebP or GIF).
    AvatarUnreadable,
    // Invalid input; the `String` names the field (sometimes with the value or the choices).
    /// Only project members can be invited to an event.
    AttendeeNotMember(String),
    /// You must accept the charter to create an account.
    CharterNotAccepted(String),
    /// You cannot ask yourself to be a contact.
    ContactSelf,
    /// You cannot block yourself.
    BlockSelf,
    /// This instance only accepts addresses from certain domains (academic addresses on an
    /// institutional instance). This address's domain is not on the allowed list.
    EmailDomainNotAllowed(String),
    /// An account already uses this e-mail address.
    EmailTaken(String),
    /// The end is before the start.
    EndsBeforeStart(String),
    /// A required field is empty.
    FieldRequired(String),
    /// A manual trust entry needs its reason (the field).
    ManualNoteRequired(String),
    /// No such trust level (the field).
    InvalidTrustLevel(String),
    /// A field is too long.
    FieldTooLong(String),
    /// Invalid choice.
    InvalidChoice(String),
    /// Invalid coordinates: latitude between -90 and 90, longitude between -180 and 180,
    /// both or neither.
    InvalidCoordinates(String),
    /// Invalid date.
    InvalidDate(String),
    /// This time zone is not one of the tz database's (`Europe/Paris`,
    /// `America/Martinique`…).
    UnknownTimeZone(String),
    /// This e-mail address is not valid.
    InvalidEmail(String),
    /// This forum name is not valid: 2 to 30 characters, lowercase letters without accents,
    /// digits and underscore, starting with a letter.
    InvalidForumName(String),
    /// A language code is not valid (examples: fr, en, br).
    InvalidLanguage(String),
    /// Unknown school level.
    InvalidLevel(String),
    /// Invalid page number: a whole number from 1.
    InvalidPage(String),
    /// Invalid short name: 2 to 30 lower-case letters, digits or underscores, starting with
    /// a letter.
    InvalidProjectName(String),
    /// Invalid radius: a number of kilometres between 1 and 1000.
    InvalidRadius(String),
    /// The user name of this remote account holds characters no server allows (@, /,
    /// spaces, control or format characters).
    InvalidRemoteUsername(String),
    /// Unknown school level.
    InvalidSchoolLevel(String),
    /// Invalid web address (http or https).
    InvalidUrl(String),
    /// This username is not valid: 2 to 30 characters, lowercase letters without accents,
    /// digits and underscore, starting with a letter.
    InvalidUsername(String),
    /// This text is nested too deeply (quotes, lists or HTML inside one another): 40 levels
    /// at most.
    MarkdownTooDeep(String),
    /// This name is already taken on this instance (people and forums share the same
    /// names).
    NameTaken(String),
    /// Only a person can be invited.
    NotAPerson,
    /// This message is not a thread.
    NotAThread,
    /// A received reply answers a post of another forum (the code of `WrongForum`, a forum
    /// relaying what is not its own).
    ParentInOtherForum,
    /// The message this one answers is unknown.
    ParentUnknown,
    /// The password is too long (256 characters at most).
    PasswordTooLong(String),
    /// The password must have at least 10 characters.
    PasswordTooShort(String),
    /// Several communes have this name: add the department or the postal code, for example
    /// "Saint-Denis 93".
    PlaceAmbiguous(String),
    /// Unknown place: no commune has this name or code. Try the postal code, or coordinates
    /// "latitude, longitude".
    PlaceUnknown(String),
    /// The state and the distance apply to projects only: choose "Projects" or "Both".
    ProjectsOnlyCriterion(String),
    /// A list has too many items.
    TooManyItems(String),
    /// A post mentions more people than allowed (20).
    TooManyMentions(String),
    /// Unknown notification kind.
    UnknownNotificationKind(String),
    /// The post this one replies to is unknown here.
    UnknownParent,
    /// This username is reserved. Choose another one.
    UsernameReserved(String),
    /// This username is already taken.
    UsernameTaken(String),
    // Busy.
    /// The server is busy checking other passwords. Try again in a few seconds.
    BusyTryLater,
    /// This person's acceptance of the invitation has not arrived yet: try again later.
    ParticipationPending,
}

impl Refusal {
    /// The field (and value) at fault, for the message beside a form field
    /// and the API's `detail`.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Refusal::AttendeeNotMember(detail)
            | Refusal::CharterNotAccepted(detail)
            | Refusal::EmailDomainNotAllowed(detail)
            | Refusal::EmailTaken(detail)
            | Refusal::EndsBeforeStart(detail)
            | Refusal::FieldRequired(detail)
            | Refusal::ManualNoteRequired(detail)
            | Refusal::InvalidTrustLevel(detail)
            | Refusal::FieldTooLong(detail)
            | Refusal::InvalidChoice(detail)
            | Refusal::InvalidCoordinates(detail)
            | Refusal::InvalidDate(detail)
            | Refusal::UnknownTimeZone(detail)
            | Refusal::InvalidEmail(detail)
            | Refusal::InvalidForumName(detail)
            | Refusal::InvalidLanguage(detail)
            | Refusal::InvalidLevel(detail)
            | Refusal::InvalidPage(detail)
            | Refusal::InvalidProjectName(detail)
            | Refusal::InvalidRadius(detail)
            | Refusal::InvalidRemoteUsername(detail)
            | Refusal::InvalidSchoolLevel(detail)
            | Refusal::InvalidUrl(detail)
            | Refusal::InvalidUsername(detail)
            | Refusal::MarkdownTooDeep(detail)
            | Refusal::NameTaken(detail)
            | Refusal::PasswordTooLong(detail)
            | Refusal::PasswordTooShort(detail)
            | Refusal::PlaceAmbiguous(detail)
            | Refusal::PlaceUnknown(detail)
            | Refusal::ProjectsOnlyCriterion(detail)
            | Refusal::TooManyItems(detail)
            | Refusal::TooManyMentions(detail)
            | Refusal::UnknownNotificationKind(detail)
            | Refusal::UsernameReserved(detail)
            | Refusal::UsernameTaken(detail) => Some(detail),
            Refusal::InvalidToken
            | Refusal::InvalidUnsubscribeLink
            | Refusal::InvalidReplyAddress
            | Refusal::ReplySenderMismatch
            | Refusal::EmptyReply
            | Refusal::ReplyTooLarge
            | Refusal::ReplyAlreadyPosted
            | Refusal::ReplyThreadClosed
            | Refusal::InvalidHandle
            | Refusal::InvalidCredentials
            | Refusal::AccountPendingApproval
            | Refusal::AccountSuspended
            | Refusal::AccountRefused
            | Refusal::AuthorIsLocal
            | Refusal::AuthorMismatch
            | Refusal::BannedFromForum
            | Refusal::CannotRemoveMember
            | Refusal::EmailNotVerified
            | Refusal::MessagingOff
            | Refusal::MessagingNotAllowed
            | Refusal::Forbidden
            | Refusal::ForumLevelTooLow
            | Refusal::MemberLevelTooLow
            | Refusal::NotModerator
            | Refusal::NotContentAuthor
            | Refusal::NotProjectMember
            | Refusal::NotConversationParticipant
            | Refusal::NotConversationCreator
            | Refusal::InviteeNotAContact
            | Refusal::ConversationLevelTooLow
            | Refusal::NotAParticipant
            | Refusal::InviteeWithoutMessaging
            | Refusal::NoConversationInvitation
            | Refusal::NoMessageRequest
            | Refusal::DirectConversation
            | Refusal::AlreadyParticipant
            | Refusal::NotCurrentParticipant
            | Refusal::ServerNotAMember
            | Refusal::InviteNotFromProject
            | Refusal::NotProjectModerator
            | Refusal::NotProjectOwner
            | Refusal::ProjectInviteOnly
            | Refusal::RegistrationsClosed
            | Refusal::WrongForum
            | Refusal::AccountNotFound
            | Refusal::NotFound
            | Refusal::PersonNotFound
            | Refusal::AccountAlreadyActive
            | Refusal::AccountAlreadySuspended
            | Refusal::AccountAlreadyRefused
            | Refusal::AlreadyContact
            | Refusal::AlreadyInvited
            | Refusal::AlreadyMember
            | Refusal::AlreadyRequested
            | Refusal::AwaitingVerification
            | Refusal::CannotRemoveSelf
            | Refusal::ContactAlreadyRequested
            | Refusal::ForumIsLocal
            | Refusal::ForumIsRemote
            | Refusal::LastAdmin
            | Refusal::LastOwner
            | Refusal::NoContactRequest
            | Refusal::NotAContact
            | Refusal::NoInvitation
            | Refusal::NoRequest
            | Refusal::NotCurrentMember
            | Refusal::NothingToAnswer
            | Refusal::ReportClosed
            | Refusal::OneStepAtATime
            | Refusal::OwnPost
            | Refusal::ProjectIsRemote
            | Refusal::RoleUnchanged
            | Refusal::ThreadLocked
            | Refusal::CannotBanModerator
            | Refusal::CannotBanOwnInstance
            | Refusal::AlreadyBlocked
            | Refusal::NotBlocked
            | Refusal::PersonBlocked
            | Refusal::BlockSelf
            | Refusal::PostDeleted
            | Refusal::DocumentTooLarge
            | Refusal::DocumentTypeRefused
            | Refusal::AvatarTooLarge
            | Refusal::AvatarDimensionsTooLarge
            | Refusal::AvatarUnreadable
            | Refusal::ContactSelf
            | Refusal::NotAPerson
            | Refusal::NotAThread
            | Refusal::ParentInOtherForum
            | Refusal::ParentUnknown
            | Refusal::UnknownParent
            | Refusal::BusyTryLater
            | Refusal::ParticipationPending => None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<Refusal> for super::DomainError {
    fn from(refusal: Refusal) -> Self {
        super::DomainError::Refused(refusal)
    }
}
