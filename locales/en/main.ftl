# Préau — English catalog

## Navigation and layout
skip-to-content = Skip to content
nav-label = Main navigation
nav-my-profile = My profile
nav-edit-profile = Edit my profile
nav-admin = Administration
nav-logout = Log out
nav-signup = Sign up
nav-login = Log in
footer-software = Powered by Préau, free software (AGPL-3.0)
footer-charter = Instance charter

## Trust levels
trust-informal = Informal — binds only its author
trust-associative = Associative
trust-institutional = Institutional
trust-explain-informal = This instance is informal: anyone can sign up, and what is published here binds only its author.
trust-explain-associative = This instance is run by an association; its admins approve sign-ups.
trust-explain-institutional = This instance is an institutional node: only people with a verified academic e-mail address can sign up. You know who you are talking to.

## Home
home-title = Home
home-intro = Préau is a federated exchange network for teachers: profiles, forums and projects, connected to other Préau instances and to the rest of the fediverse.
home-trust-heading = This instance's trust level
home-allowed-domains = Accepted addresses:
home-join-heading = Join this instance
home-stats = { $count ->
    [0] No members yet.
    [one] One member.
   *[other] { $count } members.
}
registrations-open = Sign-ups are open: you only need to verify your e-mail address.
registrations-approval = Admins approve sign-ups once your e-mail address is verified.
registrations-closed = Sign-ups are closed: only admins create accounts.

## Charter
charter-heading = Charter
charter-default =
    By joining this instance, I commit to:

    - keep exchanges constructive and courteous, respecting everyone;
    - respect copyright: I only share what I have the right to share, and cite my sources;
    - protect personal data, especially pupils': no names, no photos, nothing that could identify a pupil;
    - report to the moderators any content that breaks these rules.

    Moderators may remove content or suspend an account that breaks the charter.

## Sign-up
signup-title = Sign up
signup-domains-help = On this instance, only addresses in these domains are accepted:
signup-read-charter = Read the instance charter
signup-submit = Create my account
signup-done-title = Check your mailbox
signup-done-body = A message with a verification link was sent to { $email }. Follow the link to activate your account.
signup-done-approval = Once your address is verified, an admin will approve your sign-up.
signup-done-mail-failed = Your account was created, but the verification message could not be sent. You can ask for a new link below.
field-username = Username
field-username-help = 2 to 30 characters: lowercase letters without accents, digits and underscore; starts with a letter.
field-display-name = Display name
field-email = E-mail address
field-password = Password
field-password-help = At least 10 characters. An easy-to-remember sentence works well.
field-new-password = New password
field-accept-charter = I have read the instance charter and commit to respecting it

## Verification
verify-done-title = Address verified
verify-done-active = Your address is verified and your account is active.
verify-done-pending = Your address is verified. An admin must now approve your sign-up; you can log in afterwards.
verify-login-link = Log in
verify-resend = Get a new link
resend-title = Get a new verification link
resend-intro = Enter your account's address: if it is waiting for verification, a new link will be sent to it.
resend-done = If this address is waiting for verification, a new link was just sent to it.

## Log-in
login-title = Log in
field-login = Username or e-mail address
login-submit = Log in
login-forgot = Forgot your password?
login-resend = I did not receive the verification link

## Password
forgot-title = Forgotten password
forgot-intro = Enter your account's address: you will receive a link to choose a new password.
forgot-submit = Send the link
forgot-done = If an account uses this address, a link to choose a new password was just sent to it. It works for one hour.
reset-title = Choose a new password
reset-submit = Save the password
reset-done = Your password is changed. Your other sessions were closed.

## Profile
profile-edit-link = Edit my profile
profile-bio = About
profile-teaching = Teaching
profile-not-given = Not given
profile-fediverse-hint = From Mastodon, Lemmy or another Préau instance, search for { $handle } to find this profile.
field-subjects = Subjects taught
field-levels = Levels
field-languages = Languages spoken
field-languages-help = Language codes separated by commas, for example: fr, en, br
field-academy = Academy
field-school = School
field-school-help = Optional: only give your school if you want it to be public.
field-interests = Interests
field-bio = About
field-bio-help = Markdown formatting: **bold**, *italic*, lists, links.
field-list-help = For subjects and interests, separate items with commas.
level-maternelle = Nursery school (cycle 1)
level-primaire = Primary school (cycles 2 and 3)
level-college = Lower secondary, collège (cycles 3 and 4)
level-adapte = Special needs education (SEGPA, ULIS, EREA)
level-lycee = Upper secondary, general and technological (lycée)
level-lycee_pro = Vocational upper secondary
level-bts = Advanced technician sections (BTS)
level-cpge = Preparatory classes (CPGE)
level-superieur = Higher education
level-formation_adultes = Adult education (GRETA, CFA)
level-autre = Other
edit-title = Edit my profile
edit-see-profile = See my profile
edit-submit = Save

## Administration
admin-title = Administration
admin-pending = Sign-ups to approve
admin-pending-caption = Accounts whose address is verified and that wait for approval
admin-no-pending = No sign-up waiting.
admin-created = Signed up on
admin-actions = Actions
admin-approve = Approve
admin-users = Accounts
admin-users-caption = { $count ->
    [one] One account
   *[other] { $count } accounts
}
admin-export-csv = Export accounts (CSV)
admin-account = Account
admin-status = Status
admin-role = Role
admin-role-admin = Admin
admin-role-member = Member
admin-reactivate = Reactivate
admin-suspend = Suspend
admin-refuse = Refuse
admin-refuse-reason = Reason for refusing (sent to the person)
admin-refused = Refused sign-ups
admin-refused-caption = Refused sign-ups, with their reason
admin-refused-at = Refused on
admin-refused-reason = Reason
mail-signup-refused-subject = Your sign-up on { $instance }
mail-signup-refused-body = Hello { $username },

    An administrator of { $instance } refused your sign-up, for this reason:

    { $reason }

    No account was opened. For any question, reply to the instance's administration.
status-pending_verification = Address not verified
status-pending_approval = Waiting for approval
status-active = Active
status-suspended = Suspended
status-refused = Refused

## E-mail
mail-verify-subject = { $instance }: verify your e-mail address
mail-verify-body =
    Hello { $name },

    To activate your account on { $instance }, open this link (valid for 48 hours):

    { $link }

    If you did not ask for this account, ignore this message.
mail-reset-subject = { $instance }: choose a new password
mail-reset-body =
    Hello { $username },

    To choose a new password on { $instance }, open this link (valid for one hour):

    { $link }

    If you did not ask for anything, ignore this message: your password does not change.

mail-signup-taken-subject = { $instance }: a sign-up with your address
mail-signup-taken-body =
    Hello { $username },

    Someone just asked to sign up on { $instance } with your e-mail address. Your account already exists: no new account was created.

    If it was you, log in with your username “{ $username }”. Forgot your password? Choose a new one here:

    { $link }

    If it was not you, ignore this message: your account does not change.

## Errors
error-title = Something went wrong
error-back-home = Back to the home page
error-invalid_username = This username is not valid: 2 to 30 characters, lowercase letters without accents, digits and underscore, starting with a letter.
error-username_reserved = This username is reserved. Choose another one.
error-username_taken = This username is already taken.
error-invalid_email = This e-mail address is not valid.
error-email_taken = An account already uses this e-mail address.
error-email_domain_not_allowed = This instance only accepts addresses from certain domains (academic addresses on an institutional instance). This address's domain is not on the allowed list.
error-password_too_short = The password must have at least 10 characters.
error-password_too_long = The password is too long (256 characters at most).
error-charter_not_accepted = You must accept the charter to create an account.
error-field_too_long = A field is too long.
error-markdown_too_deep = This text is nested too deeply (quotes, lists or HTML inside one another): 40 levels at most.
error-busy_try_later = The server is busy checking other passwords. Try again in a few seconds.
error-participation_pending = This person’s acceptance of the invitation has not arrived yet: try again later.
error-too_many_items = A list has too many items.
error-too_many_mentions = A post may mention at most 20 people.
error-field_required = A required field is empty.
error-invalid_school_level = Unknown school level.
error-invalid_language = A language code is not valid (examples: fr, en, br).
error-registrations_closed = Sign-ups are closed on this instance.
error-invalid_token = This link is not valid or has expired. Ask for a new one.
error-invalid_credentials = Wrong username or password.
error-email_not_verified = Your e-mail address is not verified yet: follow the link you received, or ask for a new one.
error-messaging_off = Messages are turned off on this instance.
error-messaging_not_allowed = Messages on this instance are open to some accounts only (chosen by its administrators); yours is not one of them.
error-account_pending_approval = Your sign-up is waiting for an admin's approval.
error-account_suspended = This account is suspended.
error-account_not_found = No account has this name.
error-person_not_found = No teacher has this handle here, or it names a forum or a project.
error-account_already_active = This account is already active.
error-account_already_suspended = This account is already suspended.
error-account_refused = Your sign-up was refused by an admin.
error-account_already_refused = This sign-up was already refused.
error-last_admin = The last active admin cannot be suspended.
error-mail_unavailable = The message could not be sent. Try again in a few minutes.
error-internal_error = An internal error occurred. Try again later.
error-not_found = This page does not exist.
error-csrf_failed = The form expired or does not come from this site. Reload the page and try again.
error-rate_limited = Too many attempts. Wait a little before trying again.
error-forbidden = You do not have access to this page.
error-invalid_json = The request body is not valid JSON for this action.
error-invalid_path = The address is malformed (a number expected?).
error-invalid_text = The text sent holds a character that no text may hold (U+0000).
error-unsupported_media_type = This address accepts only ActivityPub documents (Content-Type application/activity+json or application/ld+json).
error-invalid_remote_username = The user name of this remote account holds characters no server allows (@, /, spaces, control or format characters).
error-invalid_form = The submitted form is incomplete or malformed.
error-unauthorized = Missing or invalid access token.
error-invalid_resource = Missing or invalid WebFinger resource.
error-invalid_handle = Invalid handle: expected name@domain.
error-lookup_failed = This profile could not be fetched from its instance.
error-handle_unknown = Its instance answered, but knows no teacher, forum or project by this name or at this address.
error-host_unreachable = This instance could not be reached: check the part after the @ (or the address), or try again later.
error-lookup_not_openable = This address is neither a teacher, nor a forum, nor a project.
error-payload_too_large = The request is too large.
error-invalid_status = Unknown account status.
error-invalid_list_item = A list item cannot contain a comma.
error-method_not_allowed = This HTTP method is not accepted at this address.

## Forums
forums-title = Forums
forums-empty = No forums yet.
forums-back = All forums
forum-remote = forum hosted on { $domain }
forum-last-activity = Last activity: { $date }
forums-follow-heading = Follow a forum on another instance
field-forum-handle = Forum address
field-forum-handle-help = For example !maths@other-instance.org, maths@other-instance.org or the forum's web address.
forums-follow-submit = Follow
forums-create-heading = Create a forum
field-forum-name = Short name
field-forum-name-help = 2 to 30 characters: lowercase letters without accents, digits and underscore. It makes the forum's address (!name@instance).
field-forum-title = Title
field-forum-description = Description
forums-create-submit = Create the forum
forum-follow = Follow this forum
forum-follow-pending = Follow request sent, waiting for acceptance.
forum-following = You follow this forum.
forum-unfollow = Unfollow
forum-threads = { $count ->
    [0] No threads
    [one] One thread
   *[other] { $count } threads
}
forum-no-threads = No threads yet: start the discussion!
forum-login-to-post = Log in to take part.
thread-pinned = Pinned
thread-locked = Locked
thread-replies = { $count ->
    [0] No replies
    [one] One reply
   *[other] { $count } replies
}
thread-back = Back to the forum { $forum }
thread-gone-removed = This thread was removed by the moderators, with its replies.
thread-gone-deleted = This thread was deleted by its author, with its replies.
thread-locked-notice = This thread is locked: it accepts no more replies.
post-edited = edited on { $date }
post-in-reply-to = in reply to this message
post-deleted = Message deleted by its author.
post-removed = Message removed by the moderators.
post-refused-by-forum = Refused by the forum: { $reason }. This post was not published there; it is only visible here.
post-refused-badge = Refused
post-refused-by-project = Refused by the project's host: { $reason }. This post was not published there; it is only visible here.
pagination-label = Pages
pagination-previous = Previous page
pagination-next = Next page
pagination-status = Page { $page } of { $pages }
compose-thread-heading = Start a thread
field-thread-title = Thread title
field-post-body = Message
compose-preview = Preview
compose-preview-heading = Preview
compose-publish = Publish
reply-heading = Reply
field-reply-to = In reply to
reply-to-thread = the thread
reply-to-reply = { $author } ({ $date })
reply-submit = Send the reply
nav-forums = Forums
error-invalid_forum_name = This forum name is not valid: 2 to 30 characters, lowercase letters without accents, digits and underscore, starting with a letter.
error-name_taken = This name is already taken on this instance (people and forums share the same names).
error-thread_locked = This thread is locked: it accepts no more replies.
error-post_deleted = This message was deleted.
error-forum_is_local = This forum is on this instance: no need to follow it.
error-not_a_forum = This address is not a forum.
error-author_mismatch = The post's author is not the activity's actor.
error-author_is_local = Content attributed to a member of this instance cannot come from elsewhere.
error-not_deleted_at_origin = The post still exists on its author's instance: the relayed deletion is refused.
error-banned_from_forum = This forum's moderators banned you from it: you cannot post there.
error-cannot_ban_moderator = A forum's moderators cannot be banned from it.
error-cannot_ban_own_instance = A forum cannot ban the instance that hosts it.
error-unknown_parent = The post this one replies to is unknown here.
error-wrong_forum = This reply does not belong to its thread's forum.
error-invalid_activity = The received activity is not valid.
error-invalid_object = The activity's object is not valid.
error-object_unavailable = The activity's object could not be fetched.
error-actor_unavailable = The actor could not be fetched.
error-actor_mismatch = The undone activity is not by the same actor.
error-signer_unavailable = The signer could not be fetched.
error-key_owner_mismatch = The signing key does not belong to the activity's actor.
error-not_own_actor = An actor may only update its own document.
error-activity_id_foreign = The activity's id is not on its actor's server.
error-activity_from_local_actor = An activity by a local actor cannot arrive from outside.
error-signature_rfc9421_unsupported = RFC 9421 signatures are not supported: sign with draft-cavage.
error-signature_missing = The request is not signed.
error-signature_malformed = The signature header is malformed.
error-algorithm_unsupported = Unsupported signature algorithm.
error-request_target_not_signed = The request target is not signed.
error-date_not_signed = Neither the date nor (created) is signed.
error-date_missing = The Date header is missing.
error-date_invalid = The request's date is not valid.
error-date_out_of_range = The request's date is too far from the current time (over one hour).
error-signature_expired = The signature has expired.
error-digest_not_signed = The body digest is not signed.
error-digest_missing = The body digest is missing.
error-digest_mismatch = The digest does not match the received body.
error-host_not_signed = The Host header is not signed.
error-header_missing = A signed header is missing.
error-key_invalid = The public key is not valid.
error-signature_invalid = The signature is not valid.
post-helpful = { $count ->
    [0] Helpful
   *[other] Helpful ({ $count })
}
post-edit = Edit
post-edit-submit = Save the edit
post-delete = Delete
post-report = Report
field-report-reason = Reason for the report
post-report-submit = Send the report
notice-report-sent = Report sent to the moderators.
moderate-lock = Lock the thread
moderate-unlock = Unlock the thread
moderate-pin = Pin the thread
moderate-unpin = Unpin the thread
moderate-remove = Remove (moderation)
field-remove-reason = Reason for removal
moderate-remove-submit = Remove the message
reports-title = Reports
reports-caption = Open reports for { $forum }
reports-see-post = See the message
reports-empty = No open report.
reports-moderated-forums = The forums you moderate
reports-forum-queue = reports
reports-forum-bans = bans
error-not_moderator = Only this forum's moderators can do that.
error-not_content_author = Only its author can change this.
error-forum_is_remote = This forum is hosted on another instance: it is moderated there.
error-not_a_thread = This message is not a thread.
post-unhelpful = { $count ->
    [one] You found this helpful (undo)
   *[other] You found this helpful ({ $count }) (undo)
}
post-helpful-count = { $count ->
    [0] Not marked helpful yet
    [one] Marked helpful once
   *[other] Marked helpful { $count } times
}
error-own_post = You cannot mark your own message as helpful.

# Trust labels on content (docs/trust.md)
trust-verified-by = verified by { $by }
trust-claims-associative = claims to be associative (not verified)
trust-claims-institutional = claims to be institutional (not verified)
trust-removed-on = label removed on { $date }
trust-why = why?

# Admin: instances and trust (docs/trust.md)
admin-instances-title = Known instances
admin-instances-intro = The level shown for each instance is computed here, from what this instance could verify: never copied from what it declares.
admin-instances-authorities = Trusted authorities: { $names }.
admin-instances-no-authority = No trusted authority: no attestation can be verified (see trust.authorities).
admin-instances-caption = Known instances, what they declare and the level given to them
admin-instances-host = Instance
admin-instances-declared = Declares
admin-instances-effective = Level given
admin-instances-evidence = Attestation
admin-instances-checked = Last check
admin-instances-ceiling = Ceiling
admin-instances-manual = Manual decision
admin-instances-nothing = nothing
admin-instances-attested = { $level }, signed by { $authority }, valid until { $until }
admin-instances-refused = refused: { $code }
admin-instances-no-attestation = none
admin-instances-never = never
admin-instances-next = next: { $date }
admin-instances-recheck = Check again now
admin-instances-no-ceiling = none
admin-instances-manual-level = Level granted
admin-instances-manual-none = none (remove)
admin-instances-manual-note = Reason
admin-instances-manual-save = Save
admin-instances-none = No other instance is known yet.
admin-instances-events = Refused or lost evidence
admin-instances-no-events = None.
admin-nav-instances = Known instances
error-manual_note_required = Give the reason for this decision.
error-invalid_trust_level = No such level: associative or institutional.

field-forum-min-level = Who may post
forum-min-level-informal = Everyone
forum-min-level-associative = Associative and institutional instances
forum-min-level-institutional = Institutional instances only
error-forum_level_too_low = This forum only accepts authors whose trust level, as this instance verifies it, is higher than yours.
error-instance_blocked = This instance does not federate with yours (blocklist).
error-instance_not_allowed = This instance only federates with the instances on its list.
error-instance_level_too_low = This instance only federates with instances of a higher verified trust level.
error-signature_required = This instance only accepts reads signed by an allowed instance.

mail-level-lost-subject = { $instance }: { $host } lost its trust level
mail-level-lost-body =
    Hello,

    The instance { $host } is no longer recognised as “{ $level }”: its attestation expired or no longer verifies.

    Its content stays in place and now shows “label removed”; forums reserved for a higher level refuse its new posts.

    Details, and a way to check again: { $link }
forum-posting-rule = Who may post: { $rule }
forum-banned = This forum's moderators banned you: your posts are refused there.
forum-banned-until = This forum's moderators banned you until { $until }: your posts are refused there until then.
forum-banned-reason = Reason given: { $reason }

## Project spaces
nav-projects = Projects
nav-requests = My requests
projects-title = Projects
projects-new = Create a project
projects-mine = My projects
projects-all = All projects
projects-empty = No projects yet.
projects-lookup-heading = Find a project on another instance
projects-lookup-submit = Open the project
field-project-handle = Project handle or address
field-project-handle-help = For example: eco_delegues@academy.example or https://academy.example/projects/eco_delegues
project-new-title = Create a project
project-new-submit = Create the project
project-edit-title = Edit the project
project-edit-submit = Save
project-edit-link = Edit the project
field-project-name = Short name
field-project-name-help = Lower-case letters, digits and underscores; it makes the project's handle (name@instance).
field-project-title = Title
field-project-description = Description (Markdown)
field-country = Country
field-place = Town or place
field-latitude = Latitude
field-longitude = Longitude
field-coordinates-help = Optional, in decimal degrees (for example 48.11 and -1.68); used to search nearby. Without them, the commune's are used when the place names a single French commune.
field-project-visibility = Visibility
field-project-status = Status
field-project-join-mode = Membership
field-project-min-level = Members accepted
project-visibility-public = Public page (content stays for members)
project-visibility-members = Members only
project-status-looking = Looking for partners
project-status-running = Running
project-status-finished = Finished
project-join-invite = By invitation
project-join-request = On request, accepted by moderators
project-join-open = Open to all
project-min-level-informal = Every teacher
project-min-level-associative = Members of associative or institutional instances
project-min-level-institutional = Members of institutional instances only
project-remote = project hosted on { $domain }
project-about = About
project-members = Members
project-pending = Pending invitations and requests
project-members-only = This project is for its members only.
project-members-csv = Export members (CSV)
project-actions = Take part
project-invited = You are invited to join this project
project-request-pending = Your request to join is waiting for a moderator.
project-invite-only = This project only takes new members by invitation.
project-join-now = Join the project
project-ask-to-join = Ask to join
project-leave = Leave the project
project-invite-submit = Invite
field-invite-handle = Invite a teacher
field-invite-handle-help = Their handle, on this instance or another: name@instance, for example camille_martin@academy.example.
project-invited-by = invited by { $name }
project-promote = Promote { $name }
project-demote = Demote { $name }
project-remove = Remove { $name }
project-activity = Activity
project-role-owner = Owner
project-role-moderator = Moderator
project-role-member = Member
project-state-invited = Invitation pending
project-state-requested = Asked to join
project-state-member = Member
project-state-refused = Invitation declined
project-state-rejected = Request declined
project-state-left = Left the project
project-state-removed = Removed from the project
project-log-created = { $actor } created the project
project-log-invited = { $actor } invited { $subject }
project-log-joined = { $actor } joined the project
project-log-refused = { $actor } declined the invitation
project-log-requested = { $actor } asked to join the project
project-log-accepted = { $actor } accepted { $subject }'s request
project-log-rejected = { $actor } declined { $subject }'s request
project-log-left = { $actor } left the project
project-log-removed = { $actor } removed { $subject }
project-log-role = { $actor } gave { $subject } the role "{ $role }"
requests-title = My requests
requests-invitations = Project invitations
requests-none = No pending invitations.
requests-to-decide = Join requests to decide on
requests-sent = Invitations sent
requests-accept = Accept
requests-refuse = Decline
# Said after “Accept” / “Decline” to screen readers only, so that each button names what it answers.
requests-answer-invitation = the invitation to the project “{ $title }”
requests-answer-request = the request from { $name } to join “{ $title }”
requests-answer-request-here = the request from { $name }
invitation-state-invited = Invitation pending
invitation-state-refused = Invitation declined
invitation-state-member = Invitation accepted
error-already_invited = This person is already invited.
error-already_member = This person is already a member of the project.
error-already_requested = Your request has already been sent.
error-cannot_remove_member = Only an owner can remove a moderator or an owner.
error-cannot_remove_self = To go, use "Leave the project".
error-invalid_choice = Invalid choice.
error-invalid_coordinates = Invalid coordinates: latitude between -90 and 90, longitude between -180 and 180, both or neither.
error-invalid_level = Unknown school level.
error-invalid_project_name = Invalid short name: 2 to 30 lower-case letters, digits or underscores, starting with a letter.
error-invalid_role = Invalid role.
error-invalid_target = The activity's target is missing or invalid.
error-invite_not_from_project = An invitation must come from the instance hosting the project.
error-last_owner = The last owner cannot leave or be demoted: hand the project over first.
error-member_level_too_low = This project does not accept members of this trust level.
error-no_invitation = No pending invitation for this project.
error-no_request = No pending join request for this person.
error-not_a_member = This content is for the project's members only: this server hosts none of them.
error-not_a_person = Only a person can be invited.
error-not_a_project = This is not a project.
error-not_project_member = For project members only.
error-not_project_moderator = For project moderators only.
error-not_project_owner = For project owners only.
error-nothing_to_answer = There is nothing to accept or decline here.
error-one_step_at_a_time = Roles change one step at a time.
error-project_invite_only = This project only takes new members by invitation.
error-project_is_remote = This project is hosted on another instance: edit it there.
error-role_unchanged = This role cannot go further.
nav-agenda = Agenda
project-forum = Project forum
project-forum-private = For the project's members only, on every instance: nothing here is public.
project-forum-empty = No discussions yet.
project-thread-meta = by { $author } · { $replies ->
    [0] no replies
    [one] { $replies } reply
   *[other] { $replies } replies
  } · { $date }
field-thread-body = Message (Markdown)
project-thread-submit = Start the discussion
project-back = Back to the project "{ $title }"
project-replies = Replies
project-replies-none = No replies yet.
field-reply-body = Your reply (Markdown)
project-reply-submit = Reply
project-documents = Shared documents
project-documents-empty = No documents yet.
project-document-version = Version { $version }: { $file }
project-document-meta = shared by { $author } ({ $domain }) on { $date }, { $size }
field-new-version = New version of "{ $name }"
project-document-version-submit = Upload the version
field-document-file = Document to share
field-document-help = { $size } MiB at most; accepted files: { $types }.
project-document-submit = Share
project-new-thread-heading = Start a thread
project-new-document-heading = Share a document
project-new-event-heading = Add an event
project-agenda = Agenda
project-agenda-empty = No events yet.
agenda-ics = Export (iCalendar)
event-when = from { $starts } to { $ends }
event-when-day = { $day }, from { $starts } to { $ends }
event-meeting-link = Meeting link
event-for-all = For every member
event-for-some = For: { $names }
event-added-by = added by { $name }
field-event-title = Event title
field-event-starts = Start
field-event-ends = End
field-event-time-help = { $zone } time (the time zone of your profile). Without an end, the event lasts an hour.
field-event-location = Place
field-event-meeting = Video-conference link
field-event-description = Description (Markdown)
field-event-attendees = For whom?
field-event-attendees-help = Tick nobody for an event of every member; tick one or more people for a sub-group.
project-event-submit = Add to the agenda
agenda-title = My agenda
agenda-upcoming = Upcoming
agenda-past = Past
agenda-empty = Nothing planned in your projects.
error-document_too_large = This document is larger than allowed.
error-document_type_refused = This type of file is not accepted.
error-document_unavailable = This document could not be fetched from the instance it was shared on; try again later.
error-document_corrupt = The document received does not match the one shared (size or digest).
error-invalid_date = Invalid date.
error-ends_before_start = The end is before the start.
error-invalid_url = Invalid web address (http or https).
error-attendee_not_member = Only project members can be invited to an event.
error-parent_unknown = The message this one answers is unknown.
error-object_type_unsupported = This type of object is not accepted in a project.

## Directory of projects and teachers (issue 5)
nav-directory = Directory
directory-title = Directory of projects and teachers
directory-intro = Find projects and colleagues, on this instance and on the instances it knows. Every criterion is optional; capitals and accents do not matter.
directory-search-heading = Search
field-directory-words = Words
field-directory-words-help = Looked for in the title or name, description, subjects, academy and place; all of them must appear.
field-directory-kind = Looking for
directory-kind-all = Both
directory-kind-projects = Projects
directory-kind-people = Teachers
field-directory-subject = Subject
field-directory-level = Level
directory-any-level = Any level
field-directory-language = Language
field-directory-language-help = A language code, for example fr, en, br.
field-directory-academy = Academy
field-directory-status = Project state
directory-any-status = Any state
field-directory-place = Near
field-directory-place-help = A French commune ("Rennes", or "Saint-Denis 93" when several have that name), a postal code, an INSEE code, or coordinates "48.11, -1.68". Distance applies to projects only.
field-directory-radius = Radius, in kilometres
directory-submit = Search
directory-reset = Clear the criteria
directory-suggestions = Several communes have this name; choose one:
directory-results-heading = Results
directory-near = Around { $place }, within { $radius } km, nearest first.
directory-truncated = Too many results: only the most recently active were examined. Narrow the search.
directory-people-left-out = Teachers are not listed: the state and the distance apply to projects only.
directory-projects-heading = Projects ({ $count })
directory-people-heading = Teachers ({ $count })
directory-no-projects = No project matches these criteria.
directory-no-people = No teacher matches these criteria.
directory-local = on this instance
directory-members-only = members only
directory-distance = { $km } km away
directory-distance-under-one = less than a kilometre away
directory-pages = Result pages
directory-page = Page { $page }
directory-previous = Previous page
directory-next = Next page
error-place_unknown = Unknown place: no commune has this name or code. Try the postal code, or coordinates "latitude, longitude".
error-place_ambiguous = Several communes have this name: add the department or the postal code, for example "Saint-Denis 93".
error-invalid_radius = Invalid radius: a number of kilometres between 1 and 1000.
error-invalid_page = Invalid page number: a whole number from 1.
error-projects_only_criterion = The state and the distance apply to projects only: choose "Projects" or "Both".
error-invalid_query = The parameters of the address are malformed (a number expected, a parameter given twice?).
contacts-title = Contacts
contacts-received = Contact requests received
contacts-none-received = No pending contact requests.
contacts-answer = the contact request of { $name }
contacts-sent = Contact requests sent
contacts-pending = Request pending
contacts-mine = My contacts
contacts-none = No contacts yet.
field-contact-handle = Ask for a contact
contacts-request-submit = Ask to be contacts
contact-state-requested = Contact request sent, pending.
contact-state-asked_me = This person asks you to be contacts: answer from "My requests".
contact-state-contact = You are contacts.
remote-person-from = on { $host }
remote-person-login = Log in to ask them to be a contact or invite them into a project.
remote-person-invite-label = Invite into my project
remote-person-posts = Latest posts in forums known here
remote-person-no-posts = No post known here yet.
remote-person-see-there = See on their instance ({ $host })
directory-lookup-heading = Open a profile or a project from another instance
directory-lookup-label = Handle or address
directory-lookup-help = name@instance or an address, for example camille_martin@academie.example or https://academie.example/projects/eco: the profile or the project opens here, with the contact request, the invitation or the request to join.
directory-lookup-submit = Open
project-member-count = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
error-contact_self = You cannot ask yourself to be a contact.
error-already_contact = You are already contacts.
error-contact_already_requested = A contact request between you is already pending.
error-no_contact_request = No pending contact request from this person.

## Notifications (issue 12): the text of each kind. $actor: who caused it; $title: what the object is called; $detail: a reason or an answer.
notification-reply = { $actor } replied in “{ $title }”.
notification-mention = { $actor } mentioned you in “{ $title }”.
notification-invitation = { $actor } invites you to the project “{ $title }”.
notification-contact_request = { $actor } asks to be your contact.
notification-contact_accepted = { $actor } accepted your contact request.
notification-conversation_invitation = { $actor } invites you to the conversation “{ $title }”.
notification-conversation_removed = { $actor } removed you from the conversation { $title }.
notification-conversation_refused = The instance hosting the conversation “{ $title }” refused your answer: { $detail }
notification-contact_refused = { $actor } declined your contact request.
notification-join_request = { $actor } asks to join the project “{ $title }”.
notification-new_member = { $actor } joined the project “{ $title }”.
notification-new_event = New event in the project “{ $title }”: { $detail }.
notification-new_document = New document in the project “{ $title }”: { $detail }.
notification-report = { $actor } reported a post in the forum “{ $title }”.
notification-signup_pending = { $title } signed up and awaits your approval.
notification-signup_approved = Your sign-up was approved: welcome!
notification-post_removed = { $actor } removed your post in “{ $title }”.
notification-post_refused = Your post in “{ $title }” was refused by its host: { $detail }
## Header counts, notifications page and a teacher's home (issue 12)
nav-notifications = Notifications
nav-notifications-unread = { $count ->
    [one] ({ $count } unread notification)
   *[other] ({ $count } unread notifications)
}
nav-requests-pending = { $count ->
    [one] ({ $count } pending request)
   *[other] ({ $count } pending requests)
}
notifications-title = Notifications
notifications-unread-count = { $count ->
    [0] All read.
    [one] { $count } unread notification.
   *[other] { $count } unread notifications.
}
notifications-mark-all = Mark all as read
notifications-mark-one = Mark as read
notifications-mark-one-which = : “{ $title }”
notifications-day-today = Today
notifications-day-yesterday = Yesterday
notifications-new = New
notifications-none = No notifications yet: you will get some when someone answers you.
notifications-pages = Notification pages
pager-newer = ← Newer
pager-older = Older →
home-teacher-title = My home
home-teacher-heading = Hello { $name }
home-feed-heading = New in my forums and projects
home-new-since = { $count ->
    [0] Nothing new since your last visit ({ $date }).
    [one] { $count } new post since your last visit ({ $date }).
   *[other] { $count } new posts since your last visit ({ $date }).
}
home-first-visit = Welcome! Here are the latest posts of the forums you follow and of your projects.
home-new = New
home-item-thread = New thread: { $title }
home-item-reply = Reply in “{ $title }”
home-in-forum = forum
home-in-project = project
home-feed-empty = Nothing recent in your forums and projects.
home-feed-find-forums = Find forums to follow
home-feed-pages = Pages of what is new
home-agenda-heading = My agenda (next 14 days)
home-agenda-empty = No events in the next 14 days.
home-agenda-more = My whole agenda
home-requests-heading = My pending requests
home-requests-none = No pending requests.
home-requests-more = { $count ->
    [one] See the pending request
   *[other] See the { $count } pending requests
}
home-invitation = Invitation to the project “{ $title }”
home-join-request = { $name } asks to join
home-suggestions-heading = Colleagues and projects to discover
home-suggestions-by-subject = Who shares your subject: { $value }
home-suggestions-by-academy = From your academy: { $value }
home-suggestions-by-level = Same level: { $value }
home-suggestions-people = Colleagues
home-suggestions-projects = Projects
home-suggestions-none = Nobody in the directory with this criterion yet.
home-suggestions-more = See the whole directory for this criterion
home-suggestions-complete-profile = Fill in your subjects, levels or academy to see colleagues and projects close to you.
welcome-heading = Welcome to Préau, { $name }!
welcome-text = Introduce yourself in a few words: your subjects, levels and academy help colleagues find you and show you projects close to you. You can change everything later.
welcome-later = Later: go to my home
## Notification preferences and mails (issue 12)
error-unknown_notification_kind = Unknown notification kind.
error-invalid_unsubscribe_link = This unsubscribe link is not valid: its signature does not match. Use the link of a recent mail, or change your settings after logging in.
error-invalid_reply_address = This reply address is not valid (it was altered, or its account can no longer post). Reply from the site.
error-reply_sender_mismatch = A reply by e-mail must come from the address of the account the mail was sent to.
error-reply_already_posted = This message was already posted as a reply.
error-empty_reply = Your message has no text of your own once the quoted mail and the signature are removed.
error-reply_too_large = Your message is too large (1 MiB at most, attachments included).
error-reply_thread_closed = This thread no longer takes your replies.
notif-settings-link = Notification settings
notif-settings-title = Notification settings
notif-settings-intro = For each kind of notification, choose how you hear of it. "Off": no notification of that kind at all.
notif-settings-submit = Save
notif-delivery-mail = On the site and by e-mail at once
notif-delivery-digest = On the site and in the digest
notif-delivery-site = On the site only
notif-delivery-off = Off
notif-digest-legend = E-mail digest
notif-digest-daily = Every day
notif-digest-weekly = Every week
notif-digest-none = Never
notif-kind-reply = Replies to my threads and posts
notif-kind-mention = Mentions of my name
notif-kind-invitation = Invitations to a project
notif-kind-contact_request = Contact requests
notif-kind-contact_accepted = My contact requests accepted
notif-kind-conversation_invitation = Invitations to conversations
notif-kind-conversation_removed = Removals from a conversation
notif-kind-conversation_refused = My answers refused by a conversation’s instance
notif-kind-contact_refused = My contact requests declined
notif-kind-join_request = Requests to join my projects
notif-kind-new_member = New members of my projects
notif-kind-new_event = New events of my projects
notif-kind-new_document = New documents of my projects
notif-kind-report = Reports in the forums I moderate
notif-kind-signup_pending = Sign-ups to approve (admins)
notif-kind-signup_approved = My sign-up approved
notif-kind-post_removed = My posts removed by moderators
notif-kind-post_refused = My posts refused by another server
unsubscribe-title = Unsubscribe
unsubscribe-confirm = Stop sending { $username } e-mails for: { $kind }? These notifications stay visible on the site.
unsubscribe-confirm-digest = Stop sending the digest to { $username }?
unsubscribe-submit = Unsubscribe
unsubscribe-done = Done: no more e-mails for "{ $kind }". These notifications stay visible on the site.
unsubscribe-done-digest = Done: no more e-mail digest.
unsubscribe-settings-link = All notification settings
mail-notification-reply = { $actor } ({ $handle }) replied in "{ $title }"
mail-notification-other = New notification: { $title }
mail-notification-open = Read it on the site
mail-notification-settings = Notification settings
mail-notification-unsubscribe = Unsubscribe
mail-notification-footer = You get this e-mail as your notification settings ask: { $settings }
    To stop these e-mails: { $unsubscribe }
mail-digest-subject = [{ $instance }] Digest: { $count ->
    [one] { $count } notification
   *[other] { $count } notifications
  }
mail-digest-intro = Since your last digest, { $count ->
    [one] { $count } unread notification:
   *[other] { $count } unread notifications:
  }
mail-notification-reply-hint = Answer this e-mail to reply in the thread (write above the quoted message).
mail-reply-bounce-subject = [{ $instance }] Reply not posted
mail-reply-bounce-body = Your reply by e-mail was not posted on { $instance }.
    Reason: { $reason } ({ $code })
    You can reply from the site.
# Live updates (static/live.js)
live-unread-label = Unread notifications:
live-messages-label = Messages to read:
live-new-replies = New replies — show
# Mailing-list mode: following a forum or a project's forum by e-mail
mail-list-follow = Follow by e-mail
mail-list-unfollow = Stop following by e-mail
mail-list-following = You follow this forum by e-mail: every new thread and reply is sent to you.
mail-list-follow-help = Every new thread and reply will be e-mailed to you; answer the e-mail to reply in the thread.
mail-list-byline = { $author } ({ $handle }) · { $label }
mail-list-why = You get this e-mail because you follow "{ $list }" by e-mail.
mail-list-reply = Reply to this e-mail to answer in the thread.
mail-list-stop = Stop following by e-mail
mail-list-settings-title = Forums followed by e-mail
mail-list-settings-intro = Every new thread and reply of these forums is e-mailed to you.
mail-list-settings-none = You follow no forum by e-mail. Use the "Follow by e-mail" button on a forum's page or on a project's forum.
mail-list-kind-forum = forum
mail-list-kind-project = project forum
mail-list-stop-named = Stop following by e-mail: "{ $list }"
unsubscribe-confirm-list = Stop e-mailing { $username } the messages of "{ $list }"?
unsubscribe-done-list = Done: you no longer follow "{ $list }" by e-mail.

## Confirmations after an action (web/notice.rs): notice-<key>, $name optional
notice-invited = Invitation sent to { $name }.
confirm-cancel = Cancel

## Issue 13, part U ("Everywhere"): error pages, phone menu, favicon, login prompt, wording.
error-next-heading = What now?
error-next-not-found = The address may be mistyped, or the page was removed. You can start again from one of these pages.
error-next-log-in = This page is for logged-in people who have access to it. Log in and you will come back here.
error-next-forbidden = Your account has no access to this page. If you think you should, ask the person who runs the forum or the project, or the instance's admins.
error-next-server = The problem is on our side. Try again in a few minutes; if it goes on, tell the instance's admins.
error-next-other = Go back to the previous page, check what was typed and try again.
nav-menu = Menu
nav-account = My account:
nav-notification-settings = Notification settings
home-complete-profile = Complete my profile
post-by-before = by
error-title-not-found = Page not found
error-title-forbidden = Access denied
## Issue 13, part P: project sections, notices after every action, confirmation steps
project-tabs-label = Project sections
project-tab-about = About
project-tab-forum = Forum
project-tab-documents = Documents
project-tab-agenda = Agenda
project-tab-members = Members
project-tab-activity = Activity
project-invite-heading = Invite to the project
project-see-members = See and manage members
project-activity-empty = Nothing has happened in this project yet.
notice-project-created = Project “{ $name }” created.
notice-project-saved = Project changes saved.
notice-project-joined = You joined “{ $name }”.
notice-project-join-requested = Request to join “{ $name }” sent.
notice-project-left = You left “{ $name }”.
notice-invitation-accepted = Invitation accepted: welcome to “{ $name }”.
notice-invitation-refused = Invitation to “{ $name }” declined.
notice-member-accepted = { $name } is now a member of the project.
notice-member-rejected = { $name }’s request was declined.
notice-member-removed = { $name } was removed from the project.
notice-member-promoted = { $name } was promoted.
notice-member-demoted = { $name } was demoted.
notice-thread-opened = Discussion “{ $name }” opened.
notice-reply-posted = Reply posted.
notice-document-shared = Document “{ $name }” shared.
notice-event-added = “{ $name }” added to the agenda.
notice-mail-list-followed = You follow “{ $name }” by e-mail.
notice-mail-list-stopped = You no longer follow “{ $name }” by e-mail.
notice-mail-list-stopped-one = You will no longer receive these messages by e-mail.
notice-forum-created = Forum “{ $name }” created.
notice-forum-followed = You follow “{ $name }”.
notice-forum-unfollowed = You no longer follow “{ $name }”.
notice-post-edited = Message edited.
notice-thread-deleted = Discussion “{ $name }” deleted.
notice-reply-deleted = Reply deleted.
notice-post-marked-helpful = Message marked as helpful.
notice-post-unmarked-helpful = Message no longer marked as helpful.
notice-post-removed = Message removed by moderation.
notice-thread-locked = Discussion locked.
notice-thread-unlocked = Discussion reopened.
notice-thread-pinned = Discussion pinned.
notice-thread-unpinned = Discussion unpinned.
notice-contact-requested = Contact request sent to { $name }.
notice-contact-accepted = { $name } is now one of your contacts.
notice-contact-refused = Contact request from { $name } declined.
notice-profile-saved = Profile saved.
notice-notification-settings-saved = Your notification settings are saved.
notice-notifications-read-one = Notification marked as read.
notice-notifications-read-all = All notifications are marked as read.
notice-account-approved = Account { $name } is active.
notice-account-refused = The sign-up of { $name } is refused; they were sent a message with the reason.
notice-account-suspended = Account { $name } is suspended.
notice-instance-rechecked = { $name } was checked again.
notice-instance-decision-saved = Decision saved for { $name }.
confirm-project-leave-title = Leave “{ $name }”?
confirm-project-leave-question = You will no longer see the forum, documents or agenda of “{ $name }”.
confirm-project-leave-detail = To come back you will need a new invitation or a new request to join.
confirm-project-leave-button = Leave the project
confirm-project-remove-title = Remove { $name } from the project?
confirm-project-remove-question = { $name } will no longer see the project’s forum, documents or agenda.
confirm-project-remove-detail = Their instance is told; to come back they will need a new invitation.
confirm-project-remove-button = Remove { $name }
confirm-mail-list-stop-title = Stop following “{ $name }” by e-mail?
confirm-mail-list-stop-question = You will no longer receive the new topics and replies of “{ $name }” by e-mail.
confirm-mail-list-stop-button = Stop following by e-mail
confirm-forum-unfollow-title = Unfollow “{ $name }”?
confirm-forum-unfollow-question = New messages of “{ $name }” will no longer arrive here.
confirm-forum-unfollow-button = Unfollow
confirm-delete-thread-title = Delete this discussion?
confirm-delete-thread-question = The discussion “{ $name }” and its replies will be deleted.
confirm-delete-thread-detail = Other instances are told. This cannot be undone.
confirm-delete-thread-button = Delete the discussion
confirm-delete-reply-title = Delete this reply?
confirm-delete-reply-question = Your reply “{ $name }” will be deleted.
confirm-delete-reply-detail = Other instances are told. This cannot be undone.
confirm-delete-reply-button = Delete the reply
confirm-remove-post-title = Remove this message?
confirm-remove-post-question = The message “{ $name }” will be removed from the forum; its author and other instances are told.
confirm-remove-post-reason = Reason given: { $reason }
confirm-remove-post-button = Remove the message
confirm-suspend-account-title = Suspend the account { $name }?
confirm-suspend-account-question = { $name } will no longer be able to log in or post until the account is reactivated.
confirm-suspend-account-button = Suspend { $name }
## Time zones and dates as people write them (issue 13, part T)
error-unknown_time_zone = This time zone does not exist (choose one from the list, for example Europe/Paris).
field-time-zone = Time zone
field-time-zone-help = Dates and times are shown to you in this zone, and the events you add to an agenda are entered in it.
time-zone-default = The instance’s ({ $zone })
time-zone-group-france = France (mainland and overseas)
time-zone-group-europe = Europe
time-zone-group-africa = Africa
time-zone-group-america = The Americas
time-zone-group-asia = Asia
time-zone-group-australia = Australia
time-zone-group-pacific = Pacific Ocean
time-zone-group-indian = Indian Ocean
time-zone-group-atlantic = Atlantic Ocean
time-zone-group-antarctica = Antarctica
time-zone-group-arctic = Arctic
time-zone-group-other = Other zones
event-zone-time = ({ $time }, { $zone } time)
## Issue 13, finding things (helper S): forum search, directory layout, lists
search-title = Search the forums
search-title-forum = Search "{ $forum }"
search-field = Words to find
search-field-forum = Search this forum
search-submit = Search
search-in-forum = Only in "{ $forum }"
search-count = { $count ->
    [0] No post found.
    [one] One post found.
   *[other] { $count } posts found.
}
search-none = Try another word, a shorter one ("robot" finds "robotics") or all forums.
search-truncated = Many posts match: only the most recent are read. Add a word to narrow the search.
search-reply-in = Reply in "{ $thread }"
search-where = { $forum } · { $author } · { $date }
search-title-project = Search the forum of “{ $project }”
search-back-to-project = Back to the forum of “{ $project }”
search-none-project = Try another word or a shorter one (“robot” finds “robotique”).
search-project-field = Search the project’s forum
## Issue 13, part M: moderation (reports queue, removal reasons)
## Issue 13, part M: moderation (reports queue, removal reasons) and sign-up applications
nav-moderation = Moderation
nav-moderation-open = { $count } open report(s)
reports-queue-intro = Open reports in the forums you moderate, oldest first.
reports-untitled = (untitled message)
reports-reported-by = Reported by { $who }
reports-author = message by { $who }
reports-reason = Reason given: { $reason }
reports-already-removed = already removed
reports-note = Note for the moderation team (optional)
reports-note-help = Read by moderators only; never shown to the message's author or to whoever reported it.
reports-remove-post = Also remove the message
reports-remove-reason = Removal reason, shown to the author
reports-remove-reason-help = Required when you remove the message. Who reported it is never shown.
reports-resolve = Resolve
reports-dismiss = Dismiss
report-remove-confirm-title = Remove this message?
report-remove-confirm-question = The message “{ $title }” will be removed from the forum; its author will read the reason: “{ $reason }”.
report-remove-confirm-detail = The removal is sent to the instances that follow the forum, and the message's other reports are resolved with it.
report-remove-confirm-detail-thread = This is the thread’s first message: the whole thread is removed, with its replies. The removal is sent to the instances that follow the forum, and the message’s other reports are resolved with it.
report-remove-confirm-button = Remove and resolve
notice-report-resolved = Report resolved: “{ $name }”.
notice-report-resolved-removed = Message removed, report resolved: “{ $name }”.
notice-report-dismissed = Report dismissed: “{ $name }”.
post-removed-own = Your message “{ $title }” was removed by the moderators.
post-removed-reason = Reason: { $reason }
forum-removed-heading = Your messages removed by the moderators
forum-removed-item = “{ $title }”, removed on { $date }.
error-report_closed = This report is already resolved or dismissed.
directory-filters = Filters
directory-apply = Apply the filters
directory-any-subject = Any subject
directory-any-academy = Any academy
directory-count-both = { $projects ->
    [0] No project
    [one] One project
   *[other] { $projects } projects
} and { $people ->
    [0] no teacher found.
    [one] one teacher found.
   *[other] { $people } teachers found.
}
directory-count-projects = { $count ->
    [0] No project found.
    [one] One project found.
   *[other] { $count } projects found.
}
directory-count-people = { $count ->
    [0] No teacher found.
    [one] One teacher found.
   *[other] { $count } teachers found.
}
field-subjects-other = Other subjects
field-academy-none = No academy
signup-school = School or organisation
signup-school-help = Where you work (school, college, association…), so the admins can place you.
signup-motivation = Why join this instance?
signup-motivation-help = A few sentences the admins read before approving your sign-up (at most 1,000 characters).
admin-application = Application
admin-application-school = School: { $school }
# Issue 13, part D: trust labels in plain words (the "pourquoi ?" panel, the pill).
trust-verified-by-admins = verified by the administrators of { $instance }
trust-pill-institutional = Institutional
trust-pill-associative = Associative
trust-pill-informal = Informal
trust-informal-note = — binds only its author
trust-as-institutional = institutional
trust-as-associative = associative
trust-as-informal = informal
trust-this-instance = this instance
trust-says-own = Published here, on { $here }.
trust-says-institutional = The instance { $host } presents itself as an institutional node.
trust-says-institutional-org = The instance { $host } presents itself as an institutional node, that of the organisation “{ $org }”.
trust-says-associative = The instance { $host } presents itself as an associative instance.
trust-says-associative-org = The instance { $host } presents itself as an associative instance, that of the organisation “{ $org }”.
trust-says-informal = The instance { $host } presents itself as an informal instance.
trust-says-informal-org = The instance { $host } presents itself as an informal instance (“{ $org }”).
trust-checked-own = Its level is the one its administrators set in its configuration.
trust-checked-attestation = { $authority } vouches for it with a signed attestation, valid until { $until }; { $here } checked that signature on { $checked }.
trust-checked-domain-rule = The administrators of { $here } recognise any instance of the domain { $pattern } as { $level }.
trust-checked-manual = The administrators of { $here } recognised it as { $level } on { $decided }, for this reason: “{ $note }”.
trust-checked-manual-no-note = The administrators of { $here } recognised it as { $level } on { $decided }.
trust-checked-declared = But it declares no more than this, and { $here } never gives it more than it declares.
trust-checked-ceiling = The administrators of { $here } cap everything coming from { $host } at this level.
trust-checked-person-domain = But the author’s verified e-mail address is not in a domain recognised for this instance, so their contributions are shown as informal.
trust-checked-unverified = { $here } could not verify this: no attestation from an authority it recognises, no rule or decision of its administrators. What comes from this instance is therefore shown as informal.
trust-checked-nothing = { $here } has nothing more to check about it: no attestation, rule or decision of its administrators concerns it.
trust-checked-removed = It had a higher level, removed on { $date }: its attestation expired or could no longer be verified.
trust-means-informal = What “informal” means: what is published binds only its author; nobody checked for you who they are.
trust-means-associative = What “associative” means: an association runs the instance and approves its sign-ups; what is published binds its author, not an institution.
trust-means-institutional = What “institutional” means: the author has a verified academic address, the institution knows who is speaking; everyone remains responsible for what they write.

# Avatars (issue 13)
avatar-heading = Profile picture
avatar-file = Image (PNG, JPEG, WebP or GIF, 5 MB at most)
avatar-help = The image is cropped to a centred square and scaled down; without one, your initials are shown.
avatar-upload = Upload the picture
avatar-remove = Remove the picture
notice-avatar-saved = Profile picture saved.
notice-avatar-removed = Profile picture removed.
confirm-remove-avatar-title = Remove your profile picture?
confirm-remove-avatar-question = Your initials will be shown instead.
confirm-remove-avatar-detail = Other instances will see the change when they next refresh your profile.
confirm-remove-avatar-button = Remove the picture
error-avatar_too_large = This image is larger than 5 MB.
error-avatar_dimensions_too_large = This image is too big (8000 pixels a side and 40 megapixels at most).
error-avatar_unreadable = This file is not a readable image (PNG, JPEG, WebP or GIF).
# Bans from a local forum (issue 13)
forum-bans-title = Bans from the forum “{ $forum }”
forum-bans-intro = A banned person can no longer open threads, reply or vote in this forum, here and on the instances that relay it. A banned instance: everyone whose account is there.
forum-bans-current = Current bans
forum-bans-empty = Nobody is banned from this forum.
forum-bans-whole-instance = the whole instance
forum-bans-by = Decided by { $who }
forum-bans-until = until
forum-bans-forever = with no end
forum-bans-lift = Lift the ban
forum-bans-new = Ban a person or an instance
forum-bans-who = Who to ban
forum-bans-who-help = A person: name@instance (or just the name if they are registered here). A whole instance: its domain, for example example.org.
forum-bans-reason = Reason
forum-bans-reason-line = Reason: { $reason }
forum-bans-reason-help = The banned person and the other instances will read it.
forum-bans-length = Length
forum-bans-length-1d = One day
forum-bans-length-1w = One week
forum-bans-length-1m = One month
forum-bans-length-date = Until the date below
forum-bans-length-forever = With no end
forum-bans-until-date = End date
forum-bans-until-help = Only for “Until the date below”: the ban ends on that day at 0:00 (UTC).
forum-bans-submit = Ban
forum-bans-link = Bans
post-ban = Ban
notice-forum-banned = Ban recorded: { $name }.
notice-forum-ban-lifted = Ban lifted: { $name }.
confirm-forum-ban-lift-title = Lift the ban of { $name }?
confirm-forum-ban-lift-question = { $name } will be able to post and vote in this forum again.
confirm-forum-ban-lift-detail = The instances that relay the forum are told.
confirm-forum-ban-lift-button = Lift the ban
# Changing what was shared in a project (edit, delete).
project-item-edit = Edit
project-item-delete = Delete
project-edit-post-title = Edit the message
project-edit-event-title = Edit the event
project-edit-document-title = Rename the document
project-edit-save = Save the changes
field-document-name = Document name
notice-project-post-edited = Message edited.
notice-project-event-edited = “{ $name }” edited.
notice-project-document-renamed = Document renamed “{ $name }”.
notice-project-post-deleted = Message deleted.
notice-project-event-deleted = Event deleted from the agenda.
notice-project-document-deleted = Document deleted.
confirm-project-post-delete-title = Delete this message?
confirm-project-post-delete-question = The message “{ $name }” will be deleted, here and on the other members’ instances.
confirm-project-post-delete-detail = The replies of a deleted thread stay visible.
confirm-project-post-delete-button = Delete the message
confirm-project-event-delete-title = Delete this event?
confirm-project-event-delete-question = “{ $name }” will be removed from the project’s agenda, here and on the other members’ instances.
confirm-project-event-delete-button = Delete the event
confirm-project-document-delete-title = Delete this document?
confirm-project-document-delete-question = “{ $name }” and all its versions will be deleted; the files are erased from this instance.
confirm-project-document-delete-detail = The project’s other instances remove it from their list too.
confirm-project-document-delete-button = Delete the document
## Conversations (issue 14): web/conversations.rs, templates conversations*.html
error-not_conversation_participant = For the conversation's participants only (accept the invitation first).
error-not_conversation_creator = Only the conversation's creator can remove a participant.
error-invitee_not_a_contact = Only your accepted contacts can be invited to a conversation.
error-conversation_level_too_low = This conversation does not accept participants of this trust level.
error-no_conversation_invitation = No pending invitation to this conversation.
error-no_message_request = No message request waiting in this conversation.
error-direct_conversation = A direct conversation is between two people: nobody can be invited or removed.
error-already_participant = This person already takes part in the conversation.
error-not_a_participant = Only instances with a participant in this conversation may read it.
error-not_conversation_host = Only the instance hosting the conversation may send this.
error-invitee_without_messaging = This person cannot use messages on their instance (turned off, or not open to their account).
error-not_current_participant = This person no longer takes part in the conversation, nor is invited.
nav-messages = Messages
nav-messages-unread = ({ $count } to read)
conversations-title = Messages
conversations-intro = Your conversations with your contacts, on this instance or another. They are private: only their participants read them.
conversations-invitations = Invitations to conversations
conversations-invited-by = { $name } invites you to the conversation “{ $title }”.
conversations-accept = Accept
conversations-decline = Decline
conversations-mine = My conversations
conversations-none = No conversation yet.
conversations-unread = { $count ->
    [one] { $count } unread message
   *[other] { $count } unread messages
}
conversations-removed = { $name } removed you from the conversation { $title }.
conversations-new = New conversation
conversations-name = Conversation name
conversations-name-hint = Required: participants see this name.
conversations-contacts = Contacts to invite
conversations-contacts-hint = Each gets an invitation to accept before joining the conversation.
conversations-no-contacts = You have no accepted contact yet: ask someone to be a contact from “My requests” or a profile first.
conversations-min-level = Lowest trust level of participants
conversations-min-level-any = Any level
conversations-create = Start the conversation
conversation-line-locked = The chat room is locked: no entry until its set-up is done.
conversation-line-unlocked = The chat room is now unlocked.
conversation-line-joined = { $name } joined the conversation | { $time }
conversation-line-left = { $name } left the conversation: { $time }
conversation-messages = Messages and events
conversation-message-edited = edited
conversation-message-deleted = Message deleted.
conversation-attachments = { $count ->
    [one] Attachment (a link to its server):
   *[other] Attachments (links to their server):
}
conversation-message-refused = Refused by the instance hosting the conversation: { $reason }. The other participants did not receive it.
conversation-edit = Edit
conversation-save = Save
conversation-delete = Delete
conversation-delete-title = Delete this message?
conversation-delete-question = Your message will be deleted for every participant.
conversation-write = Your message
conversation-write-hint = Markdown: *italics*, **bold**, links. Emoji can be typed directly.
conversation-smileys = Emoji
conversation-send = Send
conversation-send-failed = The message could not be sent: check the connection, then try again.
conversation-participants = Participants
conversation-creator = creator
conversation-invited = invitation pending
conversation-remove = Remove from the conversation
conversation-remove-title = Send this participant out of the conversation?
conversation-remove-question = { $name } will be removed from the conversation “{ $title }” and told so.
conversation-remove-button = Yes, remove
conversation-invite = Invite a contact
conversation-invite-none = All your contacts already take part or are invited.
conversation-invite-button = Invite
conversation-leave = Leave the conversation
conversation-leave-title = Leave this conversation?
conversation-leave-question = You will no longer see the conversation “{ $title }”; a participant can invite you again.
conversation-leave-button = Yes, leave
conversation-export = Export as text
conversation-min-level = For participants of level: { $level }
conversation-export-title = Conversation “{ $title }”, exported on { $time }
conversation-export-deleted = (message deleted)
notice-conversation-created = Conversation “{ $name }” created; the invitations are sent.
notice-conversation-invited = Invitation to the conversation sent to { $name }.
notice-conversation-accepted = You joined the conversation “{ $name }”.
notice-conversation-declined = Invitation to the conversation “{ $name }” declined.
notice-conversation-left = You left the conversation “{ $name }”.
notice-conversation-removed = { $name } was removed from the conversation.
notice-conversation-sent = Message sent.
notice-conversation-edited = Message edited.
notice-conversation-deleted = Message deleted.

## Contacts in categories (seed 004)
contacts-page-title = Contacts
contacts-page-intro = { $count ->
    [0] No contacts yet.
    [one] One contact, counting the invitations sent.
   *[other] { $count } contacts, counting the invitations sent.
}
contacts-page-requests-link = Requests you received are in “My requests”.
contacts-others = Other contacts
contact-state-accepted = Contact accepted
contact-state-pending = Invitation pending
contact-state-refused = Invitation refused
contacts-move-to = Move { $name } to the category
contacts-move = Move
contacts-remove = Remove contact
contacts-category-empty = This category is empty; it will disappear once it loses its last contact.
contacts-rename-label = New name
contacts-rename = Rename
contacts-delete-category = Delete category
contacts-new-category = Create a category
field-category-name = Category name
contacts-create-category = Create the category
contacts-add = Add a contact
field-contact-category = Category
nav-contacts = My contacts
conversations-contacts-link = My contacts and their presence
notice-contact-category-created = Category “{ $name }” created.
notice-contact-category-renamed = Category renamed “{ $name }”.
notice-contact-category-deleted = Category “{ $name }” deleted; its contacts are in “Other contacts”.
notice-contact-category-emptied = The category “{ $name }” has no contacts left: it was deleted.
notice-contact-moved = { $name } moved to another category.
notice-contact-removed = { $name } is no longer one of your contacts, and you are no longer one of theirs.
confirm-delete-contact-category-title = Delete the category “{ $name }”?
confirm-delete-contact-category-question = The category “{ $name }” will be deleted; its contacts will move to “Other contacts”.
confirm-delete-contact-category-button = Yes, delete the category
confirm-remove-contact-title = Remove { $name } from your contacts?
confirm-remove-contact-question = { $name } will be removed from your contacts, and you will disappear from theirs.
confirm-remove-contact-detail = Removal happens on both sides, their instance included.
confirm-remove-contact-button = Yes, remove the contact
error-not_a_contact = This person is not among your contacts.
block-person = Block this person
block-unblock = Unblock
block-state-blocked = You blocked this person: their requests and messages do not reach you.
confirm-block-person-title = Block { $name }?
confirm-block-person-question = { $name } will no longer be able to ask you to be a contact or write to you; if you are contacts, the contact is removed on both sides.
confirm-block-person-detail = { $name } is not told about the block. You can lift it from the Contacts page.
confirm-block-person-button = Yes, block
notice-person-blocked = { $name } is blocked.
notice-person-unblocked = { $name } is no longer blocked.
contacts-blocked-heading = Blocked people
contacts-blocked-none = You have blocked nobody.
contacts-block = Block
error-block_self = You cannot block yourself.
error-already_blocked = You already blocked this person.
error-not_blocked = You have not blocked this person.
error-person_blocked = You blocked this person: unblock them first.
presence-available = Available
presence-away = Away
presence-busy = Do not disturb
presence-legend = My status
presence-current = Status: { $status }
notice-presence-available = You are now “Available”.
notice-presence-away = You are now “Away”.
notice-presence-busy = You are now “Do not disturb”.
contacts-add-person = Add to contacts

## Issue 14: direct messages from other servers (Demandes de message)
message-requests = Message requests
message-requests-intro = People of other servers (Mastodon, Pleroma…) who are not your contacts wrote to you. Accept to answer them; ignore to stop seeing their messages (they are not told).
message-requests-from = { $name } ({ $handle }) wrote you { $count ->
    [one] a message
   *[other] { $count } messages
 }.
message-requests-accept = Accept
message-requests-ignore = Ignore
notice-message-request-accepted = { $name }: request accepted, you can answer them.
notice-message-request-ignored = { $name }: request ignored, their messages will no longer be shown to you.
conversation-direct = Direct conversation, opened by a message from another server: it holds the people it was addressed to, nobody can be invited.

# A label before its value ("Subjects: …"), and a name quoted.
label-colon = { $label }:
quoted = “{ $text }”
