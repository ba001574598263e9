# Préau — catalogue français (langue par défaut)

## Navigation et gabarit
skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-my-profile = Mon profil
nav-edit-profile = Modifier mon profil
nav-admin = Administration
nav-logout = Se déconnecter
nav-signup = Créer un compte
nav-login = Se connecter
footer-software = Propulsé par Préau, logiciel libre (AGPL-3.0)
footer-charter = Charte de l’instance

## Niveaux de confiance
trust-informal = Informel — n’engage que son auteur
trust-associative = Associatif
trust-institutional = Institutionnel
trust-explain-informal = Cette instance est informelle : chacun peut s’y inscrire, et ce qui y est publié n’engage que son auteur.
trust-explain-associative = Cette instance est tenue par une association ; les inscriptions sont validées par ses administrateurs.
trust-explain-institutional = Cette instance est un nœud institutionnel : seules les personnes disposant d’une adresse électronique académique vérifiée peuvent s’y inscrire. Vous savez avec qui vous échangez.

## Accueil
home-title = Accueil
home-intro = Préau est un réseau fédéré d’échange entre enseignants : profils, forums et projets, reliés aux autres instances Préau et au reste du fediverse.
home-trust-heading = Niveau de confiance de cette instance
home-allowed-domains = Adresses acceptées :
home-join-heading = Rejoindre l’instance
home-stats = { $count ->
    [0] Aucun membre pour l’instant.
    [one] Un membre.
   *[other] { $count } membres.
}
registrations-open = Les inscriptions sont ouvertes : il suffit de vérifier votre adresse électronique.
registrations-approval = Les inscriptions sont validées par les administrateurs après vérification de votre adresse électronique.
registrations-closed = Les inscriptions sont fermées : seuls les administrateurs créent des comptes.

## Charte
charter-heading = Charte
charter-default =
    En rejoignant cette instance, je m’engage à :

    - garder des échanges constructifs et courtois, dans le respect de chacun ;
    - respecter le droit d’auteur : je ne partage que ce que j’ai le droit de partager, en citant mes sources ;
    - protéger les données personnelles, en particulier celles des élèves : aucun nom, aucune photo, aucune information permettant d’identifier un élève ;
    - signaler aux modérateurs les contenus qui ne respectent pas ces règles.

    Les modérateurs peuvent retirer un contenu ou suspendre un compte qui ne respecte pas la charte.

## Inscription
signup-title = Créer un compte
signup-domains-help = Sur cette instance, seules les adresses de ces domaines sont acceptées :
signup-read-charter = Lire la charte de l’instance
signup-submit = Créer mon compte
signup-done-title = Vérifiez votre messagerie
signup-done-body = Un message contenant un lien de vérification a été envoyé à { $email }. Suivez ce lien pour activer votre compte.
signup-done-approval = Une fois votre adresse vérifiée, un administrateur validera votre inscription.
signup-done-mail-failed = Votre compte est créé, mais le message de vérification n’a pas pu être envoyé. Vous pouvez demander un nouveau lien ci-dessous.
field-username = Nom d’utilisateur
field-username-help = De 2 à 30 caractères : lettres minuscules sans accent, chiffres et tiret bas ; commence par une lettre.
field-display-name = Nom affiché
field-email = Adresse électronique
field-password = Mot de passe
field-password-help = Au moins 10 caractères. Une phrase facile à retenir convient très bien.
field-new-password = Nouveau mot de passe
field-accept-charter = J’ai lu la charte de l’instance et je m’engage à la respecter

## Vérification
verify-done-title = Adresse vérifiée
verify-done-active = Votre adresse est vérifiée et votre compte est actif.
verify-done-pending = Votre adresse est vérifiée. Un administrateur doit maintenant valider votre inscription ; vous pourrez vous connecter ensuite.
verify-login-link = Se connecter
verify-resend = Recevoir un nouveau lien
resend-title = Recevoir un nouveau lien de vérification
resend-intro = Indiquez l’adresse de votre compte : si elle attend une vérification, un nouveau lien lui sera envoyé.
resend-done = Si cette adresse attend une vérification, un nouveau lien vient de lui être envoyé.

## Connexion
login-title = Se connecter
field-login = Nom d’utilisateur ou adresse électronique
login-submit = Se connecter
login-forgot = Mot de passe oublié ?
login-resend = Je n’ai pas reçu le lien de vérification

## Mot de passe
forgot-title = Mot de passe oublié
forgot-intro = Indiquez l’adresse de votre compte : vous recevrez un lien pour choisir un nouveau mot de passe.
forgot-submit = Envoyer le lien
forgot-done = Si un compte utilise cette adresse, un lien pour choisir un nouveau mot de passe vient de lui être envoyé. Il est valable une heure.
reset-title = Choisir un nouveau mot de passe
reset-submit = Enregistrer le mot de passe
reset-done = Votre mot de passe est changé. Vos autres sessions ont été fermées.

## Profil
profile-edit-link = Modifier mon profil
profile-bio = Présentation
profile-teaching = Enseignement
profile-not-given = Non renseigné
profile-fediverse-hint = Depuis Mastodon, Lemmy ou une autre instance Préau, cherchez { $handle } pour retrouver ce profil.
field-subjects = Matières enseignées
field-levels = Niveaux
field-languages = Langues parlées
field-languages-help = Codes de langue séparés par des virgules, par exemple : fr, en, br
field-academy = Académie
field-school = Établissement
field-school-help = Facultatif : n’indiquez votre établissement que si vous souhaitez le rendre public.
field-interests = Centres d’intérêt
field-bio = Présentation
field-bio-help = Mise en forme Markdown : **gras**, *italique*, listes, liens.
field-list-help = Pour les matières et les centres d’intérêt, séparez les éléments par des virgules.
level-maternelle = Maternelle (cycle 1)
level-primaire = Élémentaire (cycles 2 et 3)
level-college = Collège (cycles 3 et 4)
level-adapte = Enseignement adapté (SEGPA, ULIS, EREA)
level-lycee = Lycée général et technologique
level-lycee_pro = Lycée professionnel
level-bts = Sections de technicien supérieur (BTS)
level-cpge = Classes préparatoires (CPGE)
level-superieur = Enseignement supérieur
level-formation_adultes = Formation des adultes (GRETA, CFA)
level-autre = Autre
edit-title = Modifier mon profil
edit-see-profile = Voir mon profil
edit-submit = Enregistrer

## Administration
admin-title = Administration
admin-pending = Inscriptions à valider
admin-pending-caption = Comptes dont l’adresse est vérifiée et qui attendent une validation
admin-no-pending = Aucune inscription en attente.
admin-created = Inscrit le
admin-actions = Actions
admin-approve = Valider
admin-users = Comptes
admin-users-caption = { $count ->
    [one] Un compte
   *[other] { $count } comptes
}
admin-export-csv = Exporter les comptes (CSV)
admin-account = Compte
admin-status = État
admin-role = Rôle
admin-role-admin = Administrateur
admin-role-member = Membre
admin-reactivate = Réactiver
admin-suspend = Suspendre
admin-refuse = Refuser
admin-refuse-reason = Raison du refus (envoyée à la personne)
admin-refused = Inscriptions refusées
admin-refused-caption = Inscriptions refusées, avec leur raison
admin-refused-at = Refusée le
admin-refused-reason = Raison
mail-signup-refused-subject = Votre inscription sur { $instance }
mail-signup-refused-body = Bonjour { $username },

    Un administrateur de { $instance } a refusé votre inscription, pour la raison suivante :

    { $reason }

    Aucun compte n’a été ouvert. Pour toute question, répondez à l’administration de l’instance.
status-pending_verification = Adresse non vérifiée
status-pending_approval = En attente de validation
status-active = Actif
status-suspended = Suspendu
status-refused = Refusée

## Courriels
mail-verify-subject = { $instance } : vérifiez votre adresse électronique
mail-verify-body =
    Bonjour { $name },

    Pour activer votre compte sur { $instance }, ouvrez ce lien (valable 48 heures) :

    { $link }

    Si vous n’avez pas demandé ce compte, ignorez ce message.
mail-reset-subject = { $instance } : choisir un nouveau mot de passe
mail-reset-body =
    Bonjour { $username },

    Pour choisir un nouveau mot de passe sur { $instance }, ouvrez ce lien (valable une heure) :

    { $link }

    Si vous n’avez rien demandé, ignorez ce message : votre mot de passe ne change pas.

mail-signup-taken-subject = { $instance } : une inscription avec votre adresse
mail-signup-taken-body =
    Bonjour { $username },

    Quelqu’un vient de demander à s’inscrire sur { $instance } avec votre adresse électronique. Votre compte existe déjà : aucun nouveau compte n’a été créé.

    Si c’était vous, connectez-vous avec votre identifiant « { $username } ». Mot de passe oublié ? Choisissez-en un nouveau ici :

    { $link }

    Si ce n’était pas vous, ignorez ce message : votre compte ne change pas.

## Erreurs
error-title = Une erreur est survenue
error-back-home = Retour à l’accueil
error-invalid_username = Ce nom d’utilisateur n’est pas valide : de 2 à 30 caractères, lettres minuscules sans accent, chiffres et tiret bas, en commençant par une lettre.
error-username_reserved = Ce nom d’utilisateur est réservé. Choisissez-en un autre.
error-username_taken = Ce nom d’utilisateur est déjà pris.
error-invalid_email = Cette adresse électronique n’est pas valide.
error-email_taken = Un compte utilise déjà cette adresse électronique.
error-email_domain_not_allowed = Cette instance n’accepte que les adresses de certains domaines (les adresses académiques sur une instance institutionnelle). Le domaine de cette adresse n’est pas dans la liste autorisée.
error-password_too_short = Le mot de passe doit compter au moins 10 caractères.
error-password_too_long = Le mot de passe est trop long (256 caractères au plus).
error-charter_not_accepted = Vous devez accepter la charte pour créer un compte.
error-field_too_long = Un champ est trop long.
error-markdown_too_deep = Ce texte est trop imbriqué (citations, listes ou HTML les uns dans les autres) : 40 niveaux au plus.
error-busy_try_later = Le serveur vérifie déjà beaucoup de mots de passe. Réessayez dans quelques secondes.
error-participation_pending = L’acceptation de l’invitation par cette personne n’est pas encore arrivée : réessayez plus tard.
error-too_many_items = Une liste contient trop d’éléments.
error-too_many_mentions = Un message peut mentionner au plus 20 personnes.
error-field_required = Un champ obligatoire est vide.
error-invalid_school_level = Niveau scolaire inconnu.
error-invalid_language = Un code de langue n’est pas valide (exemples : fr, en, br).
error-registrations_closed = Les inscriptions sont fermées sur cette instance.
error-invalid_token = Ce lien n’est pas valide ou a expiré. Demandez-en un nouveau.
error-invalid_credentials = Nom d’utilisateur ou mot de passe incorrect.
error-email_not_verified = Votre adresse électronique n’est pas encore vérifiée : suivez le lien reçu par courriel, ou demandez-en un nouveau.
error-messaging_off = La messagerie est désactivée sur cette instance.
error-messaging_not_allowed = La messagerie de cette instance est réservée à certains comptes (choisis par ses administrateurs) ; le vôtre n’en fait pas partie.
error-account_pending_approval = Votre inscription attend la validation d’un administrateur.
error-account_suspended = Ce compte est suspendu.
error-account_not_found = Aucun compte ne porte ce nom.
error-person_not_found = Aucun enseignant ne porte cet identifiant ici, ou il désigne un forum ou un projet.
error-account_already_active = Ce compte est déjà actif.
error-account_already_suspended = Ce compte est déjà suspendu.
error-account_refused = Votre inscription a été refusée par un administrateur.
error-account_already_refused = Cette inscription a déjà été refusée.
error-last_admin = Impossible de suspendre le dernier administrateur actif.
error-mail_unavailable = Le message n’a pas pu être envoyé. Réessayez dans quelques minutes.
error-internal_error = Une erreur interne est survenue. Réessayez plus tard.
error-not_found = Cette page n’existe pas.
error-csrf_failed = Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez.
error-rate_limited = Trop de tentatives. Patientez un peu avant de réessayer.
error-forbidden = Vous n’avez pas accès à cette page.
error-invalid_json = Le corps de la requête n’est pas un JSON valide pour cette action.
error-invalid_path = L’adresse est mal formée (un nombre attendu ?).
error-invalid_text = Le texte envoyé contient un caractère qu’aucun texte ne peut contenir (U+0000).
error-unsupported_media_type = Cette adresse n’accepte que des documents ActivityPub (Content-Type application/activity+json ou application/ld+json).
error-invalid_remote_username = Le nom d’utilisateur de ce compte distant contient des caractères qu’aucun serveur n’autorise (@, /, espaces, caractères de contrôle ou de mise en forme).
error-invalid_form = Le formulaire envoyé est incomplet ou mal formé.
error-unauthorized = Jeton d’accès absent ou invalide.
error-invalid_resource = Ressource WebFinger manquante ou invalide.
error-invalid_handle = Identifiant invalide : attendu nom@domaine.
error-lookup_failed = Impossible de récupérer ce profil sur son instance.
error-handle_unknown = Son instance a répondu, mais ne connaît ni enseignant, ni forum, ni projet sous ce nom ou à cette adresse.
error-host_unreachable = Cette instance ne répond pas : vérifiez ce qui suit le @ (ou l’adresse), ou réessayez plus tard.
error-lookup_not_openable = Cette adresse n’est ni celle d’un enseignant, ni d’un forum, ni d’un projet.
error-payload_too_large = La requête est trop volumineuse.
error-invalid_status = État de compte inconnu.
error-invalid_list_item = Un élément de liste ne peut pas contenir de virgule.
error-method_not_allowed = Cette méthode HTTP n’est pas acceptée à cette adresse.

## Forums
forums-title = Forums
forums-empty = Aucun forum pour l’instant.
forums-back = Tous les forums
forum-remote = forum hébergé sur { $domain }
forum-last-activity = Dernière activité : { $date }
forums-follow-heading = Suivre un forum d’une autre instance
field-forum-handle = Adresse du forum
field-forum-handle-help = Par exemple !maths@autre-instance.fr, maths@autre-instance.fr ou l’adresse web du forum.
forums-follow-submit = Suivre
forums-create-heading = Créer un forum
field-forum-name = Nom court
field-forum-name-help = De 2 à 30 caractères : lettres minuscules sans accent, chiffres et tiret bas. Il forme l’adresse du forum (!nom@instance).
field-forum-title = Titre
field-forum-description = Description
forums-create-submit = Créer le forum
forum-follow = Suivre ce forum
forum-follow-pending = Demande de suivi envoyée, en attente d’acceptation.
forum-following = Vous suivez ce forum.
forum-unfollow = Ne plus suivre
forum-threads = { $count ->
    [0] Aucun fil
    [one] Un fil
   *[other] { $count } fils
}
forum-no-threads = Aucun fil pour l’instant : lancez la discussion !
forum-login-to-post = Connectez-vous pour participer.
thread-pinned = Épinglé
thread-locked = Verrouillé
thread-replies = { $count ->
    [0] Aucune réponse
    [one] Une réponse
   *[other] { $count } réponses
}
thread-back = Retour au forum { $forum }
thread-gone-removed = Ce fil a été retiré par la modération, avec ses réponses.
thread-gone-deleted = Ce fil a été supprimé par son auteur, avec ses réponses.
thread-locked-notice = Ce fil est verrouillé : il n’accepte plus de réponses.
post-edited = modifié le { $date }
post-in-reply-to = en réponse à ce message
post-deleted = Message supprimé par son auteur.
post-removed = Message retiré par la modération.
post-refused-by-forum = Refusé par le forum : { $reason }. Ce message n’y a pas été publié ; il n’est visible qu’ici.
post-refused-badge = Refusé
post-refused-by-project = Refusé par l’instance du projet : { $reason }. Ce message n’y a pas été publié ; il n’est visible qu’ici.
pagination-label = Pages
pagination-previous = Page précédente
pagination-next = Page suivante
pagination-status = Page { $page } sur { $pages }
compose-thread-heading = Lancer un fil
field-thread-title = Titre du fil
field-post-body = Message
compose-preview = Aperçu
compose-preview-heading = Aperçu
compose-publish = Publier
reply-heading = Répondre
field-reply-to = En réponse à
reply-to-thread = au fil
reply-to-reply = à { $author } ({ $date })
reply-submit = Envoyer la réponse
nav-forums = Forums
error-invalid_forum_name = Ce nom de forum n’est pas valide : de 2 à 30 caractères, lettres minuscules sans accent, chiffres et tiret bas, en commençant par une lettre.
error-name_taken = Ce nom est déjà pris sur cette instance (personnes et forums partagent les mêmes noms).
error-thread_locked = Ce fil est verrouillé : il n’accepte plus de réponses.
error-post_deleted = Ce message a été supprimé.
error-forum_is_local = Ce forum est sur cette instance : inutile de le suivre.
error-not_a_forum = Cette adresse ne désigne pas un forum.
error-author_mismatch = L’auteur du message n’est pas l’acteur de l’activité.
error-author_is_local = Un contenu attribué à un membre de cette instance ne peut pas venir d’ailleurs.
error-not_deleted_at_origin = Le message existe toujours sur l’instance de son auteur : sa suppression relayée est refusée.
error-banned_from_forum = Les modérateurs de ce forum vous en ont exclu(e) : vous ne pouvez pas y publier.
error-cannot_ban_moderator = Les modérateurs d’un forum ne peuvent pas en être exclus.
error-cannot_ban_own_instance = Un forum ne peut pas exclure l’instance qui l’héberge.
error-unknown_parent = Le message auquel celui-ci répond est inconnu ici.
error-wrong_forum = Cette réponse ne correspond pas au forum de son fil.
error-invalid_activity = L’activité reçue n’est pas valide.
error-invalid_object = L’objet de l’activité n’est pas valide.
error-object_unavailable = L’objet de l’activité n’a pas pu être récupéré.
error-actor_unavailable = L’acteur n’a pas pu être récupéré.
error-actor_mismatch = L’activité annulée n’est pas du même acteur.
error-signer_unavailable = L’auteur de la signature n’a pas pu être récupéré.
error-key_owner_mismatch = La clé de signature n’appartient pas à l’acteur de l’activité.
error-not_own_actor = Un acteur ne peut mettre à jour que son propre document.
error-activity_id_foreign = L’identifiant de l’activité n’est pas sur le serveur de son acteur.
error-activity_from_local_actor = Une activité d’un acteur local ne peut pas arriver de l’extérieur.
error-signature_rfc9421_unsupported = Signature RFC 9421 non prise en charge : signez en draft-cavage.
error-signature_missing = La requête n’est pas signée.
error-signature_malformed = L’en-tête de signature est mal formé.
error-algorithm_unsupported = Algorithme de signature non pris en charge.
error-request_target_not_signed = La cible de la requête n’est pas signée.
error-date_not_signed = Ni la date ni (created) ne sont signées.
error-date_missing = L’en-tête Date manque.
error-date_invalid = La date de la requête n’est pas valide.
error-date_out_of_range = La date de la requête est trop éloignée de l’heure actuelle (plus d’une heure).
error-signature_expired = La signature a expiré.
error-digest_not_signed = L’empreinte du corps n’est pas signée.
error-digest_missing = L’empreinte du corps manque.
error-digest_mismatch = L’empreinte ne correspond pas au corps reçu.
error-host_not_signed = L’en-tête Host n’est pas signé.
error-header_missing = Un en-tête signé manque.
error-key_invalid = La clé publique n’est pas valide.
error-signature_invalid = La signature n’est pas valide.
post-helpful = { $count ->
    [0] Utile
   *[other] Utile ({ $count })
}
post-edit = Modifier
post-edit-submit = Enregistrer la modification
post-delete = Supprimer
post-report = Signaler
field-report-reason = Motif du signalement
post-report-submit = Envoyer le signalement
notice-report-sent = Signalement envoyé aux modérateurs.
moderate-lock = Verrouiller le fil
moderate-unlock = Déverrouiller le fil
moderate-pin = Épingler le fil
moderate-unpin = Désépingler le fil
moderate-remove = Retirer (modération)
field-remove-reason = Motif du retrait
moderate-remove-submit = Retirer le message
reports-title = Signalements
reports-caption = Signalements en attente pour { $forum }
reports-see-post = Voir le message
reports-empty = Aucun signalement en attente.
reports-moderated-forums = Les forums que vous modérez
reports-forum-queue = signalements
reports-forum-bans = bannissements
error-not_moderator = Seuls les modérateurs de ce forum peuvent faire cela.
error-not_content_author = Seul son auteur peut modifier ceci.
error-forum_is_remote = Ce forum est hébergé sur une autre instance : sa modération s’y fait.
error-not_a_thread = Ce message n’est pas un fil.
post-unhelpful = { $count ->
    [one] Vous avez trouvé ce message utile (retirer)
   *[other] Vous avez trouvé ce message utile ({ $count }) (retirer)
}
post-helpful-count = { $count ->
    [0] Pas encore marqué utile
    [one] Marqué utile une fois
   *[other] Marqué utile { $count } fois
}
error-own_post = Vous ne pouvez pas marquer votre propre message comme utile.

# Trust labels on content (docs/trust.md)
trust-verified-by = vérifié par { $by }
trust-claims-associative = se déclare associatif (non vérifié)
trust-claims-institutional = se déclare institutionnel (non vérifié)
trust-removed-on = label retiré le { $date }
trust-why = pourquoi ?

# Admin: instances and trust (docs/confiance.md)
admin-instances-title = Instances connues
admin-instances-intro = Le niveau affiché pour chaque instance est calculé ici, à partir de ce que cette instance a pu vérifier : jamais recopié de ce qu’elle déclare.
admin-instances-authorities = Autorités reconnues : { $names }.
admin-instances-no-authority = Aucune autorité reconnue : aucune attestation ne peut être vérifiée (voir trust.authorities).
admin-instances-caption = Instances connues, ce qu’elles déclarent et le niveau retenu
admin-instances-host = Instance
admin-instances-declared = Déclare
admin-instances-effective = Niveau retenu
admin-instances-evidence = Attestation
admin-instances-checked = Dernière vérification
admin-instances-ceiling = Plafond
admin-instances-manual = Décision manuelle
admin-instances-nothing = rien
admin-instances-attested = { $level }, signé par { $authority }, valable jusqu’au { $until }
admin-instances-refused = refusée : { $code }
admin-instances-no-attestation = aucune
admin-instances-never = jamais
admin-instances-next = prochaine : { $date }
admin-instances-recheck = Revérifier maintenant
admin-instances-no-ceiling = aucun
admin-instances-manual-level = Niveau accordé
admin-instances-manual-none = aucun (retirer)
admin-instances-manual-note = Motif
admin-instances-manual-save = Enregistrer
admin-instances-none = Aucune autre instance n’est encore connue.
admin-instances-events = Preuves refusées ou perdues
admin-instances-no-events = Aucune.
admin-nav-instances = Instances connues
error-manual_note_required = Indiquez le motif de cette décision.
error-invalid_trust_level = Ce niveau n’existe pas : associatif ou institutionnel.

field-forum-min-level = Qui peut publier
forum-min-level-informal = Tout le monde
forum-min-level-associative = Instances associatives et institutionnelles
forum-min-level-institutional = Instances institutionnelles seulement
error-forum_level_too_low = Ce forum n’accepte que les auteurs d’un niveau de confiance plus élevé que le vôtre, tel que cette instance peut le vérifier.
error-instance_blocked = Cette instance ne fédère pas avec la vôtre (liste de blocage).
error-instance_not_allowed = Cette instance ne fédère qu’avec les instances de sa liste.
error-instance_level_too_low = Cette instance ne fédère qu’avec des instances d’un niveau de confiance vérifié plus élevé.
error-signature_required = Cette instance n’accepte que les lectures signées par une instance autorisée.

mail-level-lost-subject = { $instance } : { $host } a perdu son niveau de confiance
mail-level-lost-body =
    Bonjour,

    L’instance { $host } n’est plus reconnue comme « { $level } » : son attestation a expiré ou ne se vérifie plus.

    Ses contenus restent en place et affichent désormais « label retiré » ; les forums réservés à un niveau supérieur refusent ses nouvelles publications.

    Le détail et la possibilité de revérifier : { $link }
forum-posting-rule = Qui peut publier : { $rule }
forum-banned = Les modérateurs de ce forum vous en ont exclu(e) : vos messages y sont refusés.
forum-banned-until = Les modérateurs de ce forum vous en ont exclu(e) jusqu’au { $until } : vos messages y sont refusés d’ici là.
forum-banned-reason = Raison donnée : { $reason }

## Project spaces
nav-projects = Projets
nav-requests = Mes demandes
projects-title = Projets
projects-new = Créer un projet
projects-mine = Mes projets
projects-all = Tous les projets
projects-empty = Aucun projet pour l’instant.
projects-lookup-heading = Trouver un projet d’une autre instance
projects-lookup-submit = Ouvrir le projet
field-project-handle = Identifiant ou adresse du projet
field-project-handle-help = Par exemple : eco_delegues@academie.example ou https://academie.example/projects/eco_delegues
project-new-title = Créer un projet
project-new-submit = Créer le projet
project-edit-title = Modifier le projet
project-edit-submit = Enregistrer
project-edit-link = Modifier le projet
field-project-name = Nom court
field-project-name-help = Lettres minuscules, chiffres et tirets bas ; il forme l’identifiant du projet (nom@instance).
field-project-title = Titre
field-project-description = Description (Markdown)
field-country = Pays
field-place = Commune ou lieu
field-latitude = Latitude
field-longitude = Longitude
field-coordinates-help = Facultatif, en degrés décimaux (par exemple 48.11 et -1.68) ; sert à la recherche par proximité. Sans coordonnées, celles de la commune sont utilisées quand le lieu en désigne une seule.
field-project-visibility = Visibilité
field-project-status = État
field-project-join-mode = Adhésion
field-project-min-level = Membres acceptés
project-visibility-public = Page publique (le contenu reste réservé aux membres)
project-visibility-members = Réservé aux membres
project-status-looking = Recherche des partenaires
project-status-running = En cours
project-status-finished = Terminé
project-join-invite = Sur invitation
project-join-request = Sur demande, acceptée par les modérateurs
project-join-open = Ouvert à tous
project-min-level-informal = Tous les enseignants
project-min-level-associative = Membres d’instances associatives ou institutionnelles
project-min-level-institutional = Membres d’instances institutionnelles seulement
project-remote = projet hébergé sur { $domain }
project-about = À propos
project-members = Membres
project-pending = Invitations et demandes en cours
project-members-only = Ce projet est réservé à ses membres.
project-members-csv = Exporter les membres (CSV)
project-actions = Participer
project-invited = Vous êtes invité·e à rejoindre ce projet
project-request-pending = Votre demande d’adhésion attend la réponse d’un modérateur.
project-invite-only = Ce projet n’accepte de nouveaux membres que sur invitation.
project-join-now = Rejoindre le projet
project-ask-to-join = Demander à rejoindre
project-leave = Quitter le projet
project-invite-submit = Inviter
field-invite-handle = Inviter un·e enseignant·e
field-invite-handle-help = Son identifiant, sur cette instance ou une autre : nom@instance, par exemple camille_martin@academie.example.
project-invited-by = invité·e par { $name }
project-promote = Promouvoir { $name }
project-demote = Rétrograder { $name }
project-remove = Retirer { $name }
project-activity = Activité
project-role-owner = Propriétaire
project-role-moderator = Modérateur·rice
project-role-member = Membre
project-state-invited = Invitation en attente
project-state-requested = Demande d’adhésion
project-state-member = Membre
project-state-refused = Invitation refusée
project-state-rejected = Demande refusée
project-state-left = A quitté le projet
project-state-removed = Retiré·e du projet
project-log-created = { $actor } a créé le projet
project-log-invited = { $actor } a invité { $subject }
project-log-joined = { $actor } a rejoint le projet
project-log-refused = { $actor } a refusé l’invitation
project-log-requested = { $actor } demande à rejoindre le projet
project-log-accepted = { $actor } a accepté la demande de { $subject }
project-log-rejected = { $actor } a refusé la demande de { $subject }
project-log-left = { $actor } a quitté le projet
project-log-removed = { $actor } a retiré { $subject }
project-log-role = { $actor } a donné le rôle « { $role } » à { $subject }
requests-title = Mes demandes
requests-invitations = Invitations à des projets
requests-none = Aucune invitation en attente.
requests-to-decide = Demandes d’adhésion à traiter
requests-sent = Invitations envoyées
requests-accept = Accepter
requests-refuse = Refuser
# Said after « Accepter » / « Refuser » to screen readers only, so that each button names what it answers.
requests-answer-invitation = l’invitation au projet « { $title } »
requests-answer-request = la demande de { $name } pour « { $title } »
requests-answer-request-here = la demande de { $name }
invitation-state-invited = Invitation en attente
invitation-state-refused = Invitation refusée
invitation-state-member = Invitation acceptée
error-already_invited = Cette personne est déjà invitée.
error-already_member = Cette personne est déjà membre du projet.
error-already_requested = Votre demande est déjà envoyée.
error-cannot_remove_member = Seul un propriétaire peut retirer un modérateur ou un propriétaire.
error-cannot_remove_self = Pour partir, utilisez « Quitter le projet ».
error-invalid_choice = Choix invalide.
error-invalid_coordinates = Coordonnées invalides : latitude entre -90 et 90, longitude entre -180 et 180, les deux ou aucune.
error-invalid_level = Niveau scolaire inconnu.
error-invalid_project_name = Nom court invalide : 2 à 30 lettres minuscules, chiffres ou tirets bas, commençant par une lettre.
error-invalid_role = Rôle invalide.
error-invalid_target = La cible de l’activité manque ou est invalide.
error-invite_not_from_project = Une invitation doit venir de l’instance qui héberge le projet.
error-last_owner = Le dernier propriétaire ne peut pas partir ni être rétrogradé : confiez d’abord le projet à quelqu’un d’autre.
error-member_level_too_low = Ce projet n’accepte pas les membres de ce niveau de confiance.
error-no_invitation = Aucune invitation en attente pour ce projet.
error-no_request = Aucune demande d’adhésion en attente pour cette personne.
error-not_a_member = Ce contenu est réservé aux membres du projet : ce serveur n’en héberge aucun.
error-not_a_person = Seule une personne peut être invitée.
error-not_a_project = Ce n’est pas un projet.
error-not_project_member = Réservé aux membres du projet.
error-not_project_moderator = Réservé aux modérateurs du projet.
error-not_project_owner = Réservé aux propriétaires du projet.
error-nothing_to_answer = Il n’y a rien à accepter ni à refuser ici.
error-one_step_at_a_time = Les rôles changent d’un cran à la fois.
error-project_invite_only = Ce projet n’accepte de nouveaux membres que sur invitation.
error-project_is_remote = Ce projet est hébergé sur une autre instance : modifiez-le là-bas.
error-role_unchanged = Ce rôle ne peut pas aller plus loin.
nav-agenda = Agenda
project-forum = Forum du projet
project-forum-private = Réservé aux membres du projet, sur toutes les instances : rien n’y est public.
project-forum-empty = Aucune discussion pour l’instant.
project-thread-meta = par { $author } · { $replies ->
    [0] aucune réponse
    [one] { $replies } réponse
   *[other] { $replies } réponses
  } · { $date }
field-thread-body = Message (Markdown)
project-thread-submit = Ouvrir la discussion
project-back = Retour au projet « { $title } »
project-replies = Réponses
project-replies-none = Pas encore de réponse.
field-reply-body = Votre réponse (Markdown)
project-reply-submit = Répondre
project-documents = Documents partagés
project-documents-empty = Aucun document pour l’instant.
project-document-version = Version { $version } : { $file }
project-document-meta = partagé par { $author } ({ $domain }) le { $date }, { $size }
field-new-version = Nouvelle version de « { $name } »
project-document-version-submit = Déposer la version
field-document-file = Document à partager
field-document-help = { $size } Mio au plus ; fichiers acceptés : { $types }.
project-document-submit = Partager
project-new-thread-heading = Ouvrir un sujet
project-new-document-heading = Partager un document
project-new-event-heading = Ajouter un événement
project-agenda = Agenda
project-agenda-empty = Aucun événement pour l’instant.
agenda-ics = Exporter (iCalendar)
event-when = du { $starts } au { $ends }
event-when-day = le { $day }, de { $starts } à { $ends }
event-meeting-link = Lien de la réunion
event-for-all = Pour tous les membres
event-for-some = Pour : { $names }
event-added-by = ajouté par { $name }
field-event-title = Titre de l’événement
field-event-starts = Début
field-event-ends = Fin
field-event-time-help = Heure { $zone_after } (le fuseau de votre profil). Sans fin, l’événement dure une heure.
field-event-location = Lieu
field-event-meeting = Lien de visioconférence
field-event-description = Description (Markdown)
field-event-attendees = Pour qui ?
field-event-attendees-help = Ne cochez personne pour un événement de tous les membres ; cochez une ou plusieurs personnes pour un sous-groupe.
project-event-submit = Ajouter à l’agenda
agenda-title = Mon agenda
agenda-upcoming = À venir
agenda-past = Passés
agenda-empty = Rien de prévu dans vos projets.
error-document_too_large = Ce document dépasse la taille permise.
error-document_type_refused = Ce type de fichier n’est pas accepté.
error-document_unavailable = Ce document n’a pas pu être récupéré sur l’instance où il a été partagé ; réessayez plus tard.
error-document_corrupt = Le document reçu ne correspond pas à celui qui a été partagé (taille ou empreinte).
error-invalid_date = Date invalide.
error-ends_before_start = La fin est avant le début.
error-invalid_url = Adresse web invalide (http ou https).
error-attendee_not_member = On ne peut inviter à un événement que des membres du projet.
error-parent_unknown = Le message auquel celui-ci répond est inconnu.
error-object_type_unsupported = Ce type d’objet n’est pas accepté dans un projet.

## Annuaire des projets et des enseignant·es (issue 5)
nav-directory = Annuaire
directory-title = Annuaire des projets et des enseignant·es
directory-intro = Trouvez des projets et des collègues, sur cette instance et sur les instances qu’elle connaît. Tous les critères sont facultatifs ; les majuscules et les accents ne comptent pas.
directory-search-heading = Rechercher
field-directory-words = Mots
field-directory-words-help = Cherchés dans le titre ou le nom, la description, les matières, l’académie et le lieu ; tous doivent y figurer.
field-directory-kind = Chercher
directory-kind-all = Les deux
directory-kind-projects = Des projets
directory-kind-people = Des enseignant·es
field-directory-subject = Matière
field-directory-level = Niveau
directory-any-level = Tous les niveaux
field-directory-language = Langue
field-directory-language-help = Un code de langue, par exemple fr, en, br.
field-directory-academy = Académie
field-directory-status = État du projet
directory-any-status = Tous les états
field-directory-place = Près de
field-directory-place-help = Une commune (« Rennes », ou « Saint-Denis 93 » quand plusieurs portent ce nom), un code postal, un code INSEE, ou des coordonnées « 48.11, -1.68 ». La distance ne concerne que les projets.
field-directory-radius = Rayon, en kilomètres
directory-submit = Rechercher
directory-reset = Effacer les critères
directory-suggestions = Plusieurs communes portent ce nom ; choisissez :
directory-results-heading = Résultats
directory-near = Autour de { $place }, dans un rayon de { $radius } km, du plus proche au plus lointain.
directory-truncated = Trop de résultats : seuls les plus récemment actifs ont été examinés. Précisez la recherche.
directory-people-left-out = Les enseignant·es ne sont pas listé·es : l’état et la distance ne concernent que les projets.
directory-projects-heading = Projets ({ $count })
directory-people-heading = Enseignant·es ({ $count })
directory-no-projects = Aucun projet ne correspond à ces critères.
directory-no-people = Aucun·e enseignant·e ne correspond à ces critères.
directory-local = sur cette instance
directory-members-only = réservé à ses membres
directory-distance = à { $km } km
directory-distance-under-one = à moins d’un kilomètre
directory-pages = Pages de résultats
directory-page = Page { $page }
directory-previous = Page précédente
directory-next = Page suivante
error-place_unknown = Lieu inconnu : aucune commune ne porte ce nom ou ce code. Essayez le code postal, ou des coordonnées « latitude, longitude ».
error-place_ambiguous = Plusieurs communes portent ce nom : ajoutez le département ou le code postal, par exemple « Saint-Denis 93 ».
error-invalid_radius = Rayon invalide : un nombre de kilomètres entre 1 et 1000.
error-invalid_page = Numéro de page invalide : un nombre entier à partir de 1.
error-projects_only_criterion = L’état et la distance ne concernent que les projets : choisissez « Des projets » ou « Les deux ».
error-invalid_query = Les paramètres de l’adresse sont mal formés (un nombre attendu, un paramètre donné deux fois ?).
contacts-title = Contacts
contacts-received = Demandes de contact reçues
contacts-none-received = Aucune demande de contact en attente.
contacts-answer = la demande de contact de { $name }
contacts-sent = Demandes de contact envoyées
contacts-pending = Demande en attente
contacts-mine = Mes contacts
contacts-none = Pas encore de contacts.
field-contact-handle = Demander un contact
contacts-request-submit = Demander en contact
contact-state-requested = Demande de contact envoyée, en attente.
contact-state-asked_me = Cette personne vous demande en contact : répondez depuis « Mes demandes ».
contact-state-contact = Vous êtes en contact.
remote-person-from = sur { $host }
remote-person-login = Connectez-vous pour lui demander d’être en contact ou l’inviter dans un projet.
remote-person-invite-label = Inviter dans mon projet
remote-person-posts = Derniers messages dans les forums connus ici
remote-person-no-posts = Aucun message connu ici pour l’instant.
remote-person-see-there = Voir sur son instance ({ $host })
directory-lookup-heading = Ouvrir un profil ou un projet d’une autre instance
directory-lookup-label = Identifiant ou adresse
directory-lookup-help = nom@instance ou une adresse, par exemple camille_martin@academie.example ou https://academie.example/projects/eco : le profil ou le projet s’ouvre ici, avec la demande de contact, l’invitation ou la demande pour rejoindre.
directory-lookup-submit = Ouvrir
project-member-count = { $count ->
    [one] { $count } membre
   *[other] { $count } membres
}
error-contact_self = On ne peut pas se demander soi-même en contact.
error-already_contact = Vous êtes déjà en contact.
error-contact_already_requested = Une demande de contact est déjà en attente entre vous.
error-no_contact_request = Aucune demande de contact en attente de cette personne.

## Notifications (issue 12): the text of each kind. $actor: who caused it; $title: what the object is called; $detail: a reason or an answer.
notification-reply = { $actor } a répondu dans « { $title } ».
notification-mention = { $actor } vous a mentionné·e dans « { $title } ».
notification-invitation = { $actor } vous invite dans le projet « { $title } ».
notification-contact_request = { $actor } vous demande d'être en contact.
notification-contact_accepted = { $actor } a accepté votre demande de contact.
notification-contact_refused = { $actor } a refusé votre demande de contact.
notification-conversation_invitation = { $actor } vous invite à la conversation « { $title } ».
notification-conversation_removed = { $actor } vous a retiré de la conversation { $title }.
notification-conversation_refused = L’instance qui accueille la conversation « { $title } » a refusé votre réponse : { $detail }
notification-join_request = { $actor } demande à rejoindre le projet « { $title } ».
notification-new_member = { $actor } a rejoint le projet « { $title } ».
notification-new_event = Nouvel événement dans le projet « { $title } » : { $detail }.
notification-new_document = Nouveau document dans le projet « { $title } » : { $detail }.
notification-report = { $actor } a signalé un message dans le forum « { $title } ».
notification-signup_pending = { $title } s'est inscrit·e et attend votre validation.
notification-signup_approved = Votre inscription a été validée : bienvenue !
notification-post_removed = { $actor } a retiré votre message dans « { $title } ».
notification-post_refused = Votre message dans « { $title } » a été refusé par son hôte : { $detail }
## Header counts, notifications page and a teacher's home (issue 12)
nav-notifications = Notifications
nav-notifications-unread = { $count ->
    [one] ({ $count } notification non lue)
   *[other] ({ $count } notifications non lues)
}
nav-requests-pending = { $count ->
    [one] ({ $count } demande en attente)
   *[other] ({ $count } demandes en attente)
}
notifications-title = Notifications
notifications-unread-count = { $count ->
    [0] Tout est lu.
    [one] { $count } notification non lue.
   *[other] { $count } notifications non lues.
}
notifications-mark-all = Tout marquer comme lu
notifications-mark-one = Marquer comme lue
notifications-mark-one-which = { "\u00A0" }: « { $title } »
notifications-day-today = Aujourd’hui
notifications-day-yesterday = Hier
notifications-new = Nouveau
notifications-none = Aucune notification pour l’instant : vous en recevrez quand on vous répondra.
notifications-pages = Pages des notifications
pager-newer = ← Plus récents
pager-older = Plus anciens →
home-teacher-title = Mon accueil
home-teacher-heading = Bonjour { $name }
home-feed-heading = Nouveautés de mes forums et projets
home-new-since = { $count ->
    [0] Rien de nouveau depuis votre dernière visite ({ $date }).
    [one] { $count } nouveauté depuis votre dernière visite ({ $date }).
   *[other] { $count } nouveautés depuis votre dernière visite ({ $date }).
}
home-first-visit = Bienvenue ! Voici les derniers messages des forums que vous suivez et de vos projets.
home-new = Nouveau
home-item-thread = Nouveau sujet : { $title }
home-item-reply = Réponse dans « { $title } »
home-in-forum = forum
home-in-project = projet
home-feed-empty = Rien de récent dans vos forums et vos projets.
home-feed-find-forums = Trouver des forums à suivre
home-feed-pages = Pages des nouveautés
home-agenda-heading = Mon agenda (14 prochains jours)
home-agenda-empty = Aucun événement dans les 14 prochains jours.
home-agenda-more = Tout mon agenda
home-requests-heading = Mes demandes en attente
home-requests-none = Aucune demande en attente.
home-requests-more = { $count ->
    [one] Voir la demande en attente
   *[other] Voir les { $count } demandes en attente
}
home-invitation = Invitation au projet « { $title } »
home-join-request = { $name } demande à rejoindre
home-suggestions-heading = Collègues et projets à découvrir
home-suggestions-by-subject = Qui partage votre discipline : { $value }
home-suggestions-by-academy = De votre académie : { $value }
home-suggestions-by-level = Du même niveau : { $value }
home-suggestions-people = Collègues
home-suggestions-projects = Projets
home-suggestions-none = Personne encore dans l’annuaire avec ce critère.
home-suggestions-more = Voir tout l’annuaire pour ce critère
home-suggestions-complete-profile = Renseignez vos disciplines, niveaux ou académie pour voir des collègues et des projets proches de vous.
welcome-heading = Bienvenue sur Préau, { $name } !
welcome-text = Présentez-vous en quelques mots : vos disciplines, vos niveaux et votre académie aident vos collègues à vous trouver et vous font découvrir des projets proches de vous. Tout est modifiable plus tard.
welcome-later = Plus tard : aller à mon accueil
## Notification preferences and mails (issue 12)
error-unknown_notification_kind = Type de notification inconnu.
error-invalid_unsubscribe_link = Ce lien de désabonnement n’est pas valide : sa signature ne correspond pas. Utilisez le lien d’un message récent, ou modifiez vos réglages après vous être connecté·e.
error-invalid_reply_address = Cette adresse de réponse n’est pas valide (elle a été modifiée, ou son compte ne peut plus publier). Répondez depuis le site.
error-reply_sender_mismatch = Une réponse par courriel doit venir de l’adresse du compte à qui le message a été envoyé.
error-reply_already_posted = Ce message a déjà été publié comme réponse.
error-empty_reply = Votre message ne contient aucun texte de votre main une fois la citation et la signature retirées.
error-reply_too_large = Votre message est trop volumineux (1 Mio au plus, pièces jointes comprises).
error-reply_thread_closed = Cette discussion n’accepte plus vos réponses.
notif-settings-link = Réglages des notifications
notif-settings-title = Réglages des notifications
notif-settings-intro = Pour chaque type de notification, choisissez comment vous en êtes averti·e. « Désactivé » : aucune notification de ce type.
notif-settings-submit = Enregistrer
notif-delivery-mail = Sur le site et par courriel immédiatement
notif-delivery-digest = Sur le site et dans le récapitulatif
notif-delivery-site = Sur le site seulement
notif-delivery-off = Désactivé
notif-digest-legend = Récapitulatif par courriel
notif-digest-daily = Chaque jour
notif-digest-weekly = Chaque semaine
notif-digest-none = Jamais
notif-kind-reply = Réponses à mes fils et messages
notif-kind-mention = Mentions de mon nom
notif-kind-invitation = Invitations à un projet
notif-kind-contact_request = Demandes de contact
notif-kind-contact_accepted = Demandes de contact acceptées
notif-kind-contact_refused = Demandes de contact refusées
notif-kind-conversation_invitation = Invitations à des conversations
notif-kind-conversation_removed = Retraits d’une conversation
notif-kind-conversation_refused = Mes réponses refusées par l’instance d’une conversation
notif-kind-join_request = Demandes pour rejoindre mes projets
notif-kind-new_member = Nouveaux membres de mes projets
notif-kind-new_event = Nouveaux événements de mes projets
notif-kind-new_document = Nouveaux documents de mes projets
notif-kind-report = Signalements dans les forums que je modère
notif-kind-signup_pending = Inscriptions à approuver (administration)
notif-kind-signup_approved = Mon inscription validée
notif-kind-post_removed = Mes messages retirés par la modération
notif-kind-post_refused = Mes messages refusés par un autre serveur
unsubscribe-title = Désabonnement
unsubscribe-confirm = Ne plus envoyer à { $username } de courriels pour : { $kind } ? Ces notifications resteront visibles sur le site.
unsubscribe-confirm-digest = Ne plus envoyer de récapitulatif à { $username } ?
unsubscribe-submit = Me désabonner
unsubscribe-done = C’est fait : plus de courriels pour « { $kind } ». Ces notifications restent visibles sur le site.
unsubscribe-done-digest = C’est fait : plus de récapitulatif par courriel.
unsubscribe-settings-link = Tous les réglages des notifications
mail-notification-reply = { $actor } ({ $handle }) a répondu dans « { $title } »
mail-notification-other = Nouvelle notification : { $title }
mail-notification-open = Lire sur le site
mail-notification-settings = Réglages des notifications
mail-notification-unsubscribe = Se désabonner
mail-notification-footer = Vous recevez ce courriel selon vos réglages de notifications : { $settings }
    Ne plus recevoir ces courriels : { $unsubscribe }
mail-digest-subject = [{ $instance }] Récapitulatif : { $count ->
    [one] { $count } notification
   *[other] { $count } notifications
  }
mail-digest-intro = Depuis votre dernier récapitulatif, { $count ->
    [one] { $count } notification non lue :
   *[other] { $count } notifications non lues :
  }
mail-notification-reply-hint = Répondez à ce courriel pour répondre dans la discussion (écrivez au-dessus du message cité).
mail-reply-bounce-subject = [{ $instance }] Réponse non publiée
mail-reply-bounce-body = Votre réponse par courriel n’a pas été publiée sur { $instance }.
    Raison : { $reason } ({ $code })
    Vous pouvez répondre depuis le site.
# Live updates (static/live.js)
live-unread-label = Notifications non lues :
live-messages-label = Messages à lire :
live-new-replies = Nouvelles réponses — afficher
# Mailing-list mode: following a forum or a project's forum by e-mail
mail-list-follow = Suivre par e-mail
mail-list-unfollow = Ne plus suivre par e-mail
mail-list-following = Vous suivez ce forum par e-mail : chaque nouveau sujet et chaque réponse vous sont envoyés.
mail-list-follow-help = Chaque nouveau sujet et chaque réponse vous seront envoyés par e-mail ; répondez au courriel pour répondre dans le fil.
mail-list-byline = { $author } ({ $handle }) · { $label }
mail-list-why = Vous recevez ce courriel parce que vous suivez « { $list } » par e-mail.
mail-list-reply = Répondez à ce courriel pour répondre dans le fil.
mail-list-stop = Ne plus suivre par e-mail
mail-list-settings-title = Forums suivis par e-mail
mail-list-settings-intro = Vous recevez par courriel chaque nouveau sujet et chaque réponse de ces forums.
mail-list-settings-none = Vous ne suivez aucun forum par e-mail. Utilisez le bouton « Suivre par e-mail » sur la page d’un forum ou du forum d’un projet.
mail-list-kind-forum = forum
mail-list-kind-project = forum du projet
mail-list-stop-named = Ne plus suivre par e-mail : « { $list } »
unsubscribe-confirm-list = Ne plus envoyer à { $username } les messages de « { $list } » par courriel ?
unsubscribe-done-list = C’est fait : vous ne suivez plus « { $list } » par e-mail.

## Confirmations after an action (web/notice.rs): notice-<key>, $name optional
notice-invited = Invitation envoyée à { $name }.
confirm-cancel = Annuler

## Issue 13, part U ("Everywhere"): error pages, phone menu, favicon, login prompt, wording.
error-next-heading = Et maintenant ?
error-next-not-found = L’adresse est peut-être mal saisie, ou la page a été retirée. Vous pouvez repartir de l’une de ces pages.
error-next-log-in = Cette page est réservée aux personnes connectées qui y ont accès. Connectez-vous, vous reviendrez ici ensuite.
error-next-forbidden = Votre compte n’a pas accès à cette page. Si vous pensez devoir y accéder, demandez-le à la personne qui anime le forum ou le projet, ou à l’administration de l’instance.
error-next-server = Le problème vient de notre côté. Réessayez dans quelques minutes ; s’il persiste, prévenez l’administration de l’instance.
error-next-other = Revenez à la page précédente, vérifiez ce qui a été saisi et réessayez.
nav-menu = Menu
nav-account = Mon compte :
nav-notification-settings = Réglages des notifications
home-complete-profile = Compléter mon profil
post-by-before = par
error-title-not-found = Page introuvable
error-title-forbidden = Accès refusé
## Issue 13, part P: project sections, notices after every action, confirmation steps
project-tabs-label = Sections du projet
project-tab-about = Présentation
project-tab-forum = Forum
project-tab-documents = Documents
project-tab-agenda = Agenda
project-tab-members = Membres
project-tab-activity = Activité
project-invite-heading = Inviter dans le projet
project-see-members = Voir et gérer les membres
project-activity-empty = Rien ne s’est encore passé dans ce projet.
notice-project-created = Projet « { $name } » créé.
notice-project-saved = Modifications du projet enregistrées.
notice-project-joined = Vous avez rejoint « { $name } ».
notice-project-join-requested = Demande d’adhésion à « { $name } » envoyée.
notice-project-left = Vous avez quitté « { $name } ».
notice-invitation-accepted = Invitation acceptée : bienvenue dans « { $name } ».
notice-invitation-refused = Invitation à « { $name } » refusée.
notice-member-accepted = { $name } fait maintenant partie du projet.
notice-member-rejected = Demande de { $name } refusée.
notice-member-removed = { $name } a été retiré·e du projet.
notice-member-promoted = { $name } a été promu·e.
notice-member-demoted = { $name } a été rétrogradé·e.
notice-thread-opened = Discussion « { $name } » ouverte.
notice-reply-posted = Réponse publiée.
notice-document-shared = Document « { $name } » partagé.
notice-event-added = « { $name } » ajouté à l’agenda.
notice-mail-list-followed = Vous suivez « { $name } » par e-mail.
notice-mail-list-stopped = Vous ne suivez plus « { $name } » par e-mail.
notice-mail-list-stopped-one = Vous ne recevrez plus ces messages par e-mail.
notice-forum-created = Forum « { $name } » créé.
notice-forum-followed = Vous suivez « { $name } ».
notice-forum-unfollowed = Vous ne suivez plus « { $name } ».
notice-post-edited = Message modifié.
notice-thread-deleted = Discussion « { $name } » supprimée.
notice-reply-deleted = Réponse supprimée.
notice-post-marked-helpful = Message marqué comme utile.
notice-post-unmarked-helpful = Message retiré de vos messages utiles.
notice-post-removed = Message retiré par la modération.
notice-thread-locked = Discussion verrouillée.
notice-thread-unlocked = Discussion rouverte.
notice-thread-pinned = Discussion épinglée.
notice-thread-unpinned = Discussion désépinglée.
notice-contact-requested = Demande de contact envoyée à { $name }.
notice-contact-accepted = { $name } fait maintenant partie de vos contacts.
notice-contact-refused = Demande de contact de { $name } refusée.
notice-profile-saved = Profil enregistré.
notice-notification-settings-saved = Vos réglages de notifications sont enregistrés.
notice-notifications-read-one = Notification marquée comme lue.
notice-notifications-read-all = Toutes les notifications sont marquées comme lues.
notice-account-approved = Le compte { $name } est actif.
notice-account-refused = L’inscription de { $name } est refusée ; un message lui a été envoyé avec la raison.
notice-account-suspended = Le compte { $name } est suspendu.
notice-instance-rechecked = { $name } a été vérifiée de nouveau.
notice-instance-decision-saved = Décision enregistrée pour { $name }.
confirm-project-leave-title = Quitter « { $name } » ?
confirm-project-leave-question = Vous ne verrez plus le forum, les documents ni l’agenda de « { $name } ».
confirm-project-leave-detail = Pour revenir, il faudra une nouvelle invitation ou une nouvelle demande d’adhésion.
confirm-project-leave-button = Quitter le projet
confirm-project-remove-title = Retirer { $name } du projet ?
confirm-project-remove-question = { $name } ne verra plus le forum, les documents ni l’agenda du projet.
confirm-project-remove-detail = Son instance en est informée ; pour revenir, il lui faudra une nouvelle invitation.
confirm-project-remove-button = Retirer { $name }
confirm-mail-list-stop-title = Ne plus suivre « { $name } » par e-mail ?
confirm-mail-list-stop-question = Vous ne recevrez plus par courriel les nouveaux sujets et réponses de « { $name } ».
confirm-mail-list-stop-button = Ne plus suivre par e-mail
confirm-forum-unfollow-title = Ne plus suivre « { $name } » ?
confirm-forum-unfollow-question = Les nouveaux messages de « { $name } » n’arriveront plus ici.
confirm-forum-unfollow-button = Ne plus suivre
confirm-delete-thread-title = Supprimer cette discussion ?
confirm-delete-thread-question = La discussion « { $name } » et ses réponses seront supprimées.
confirm-delete-thread-detail = Les autres instances en seront informées. Cette action est définitive.
confirm-delete-thread-button = Supprimer la discussion
confirm-delete-reply-title = Supprimer cette réponse ?
confirm-delete-reply-question = Votre réponse « { $name } » sera supprimée.
confirm-delete-reply-detail = Les autres instances en seront informées. Cette action est définitive.
confirm-delete-reply-button = Supprimer la réponse
confirm-remove-post-title = Retirer ce message ?
confirm-remove-post-question = Le message « { $name } » sera retiré du forum ; son auteur et les autres instances en seront informés.
confirm-remove-post-reason = Raison indiquée : { $reason }
confirm-remove-post-button = Retirer le message
confirm-suspend-account-title = Suspendre le compte { $name } ?
confirm-suspend-account-question = { $name } ne pourra plus se connecter ni publier tant que le compte ne sera pas réactivé.
confirm-suspend-account-button = Suspendre { $name }
## Time zones and dates as people write them (issue 13, part T)
error-unknown_time_zone = Ce fuseau horaire n’existe pas (choisissez-en un dans la liste, par exemple Europe/Paris).
field-time-zone = Fuseau horaire
field-time-zone-help = Les dates et heures vous sont montrées dans ce fuseau, et les événements que vous ajoutez à un agenda y sont saisis.
time-zone-default = Celui de l’instance ({ $zone })
time-zone-group-france = France (métropole et outre-mer)
time-zone-group-europe = Europe
time-zone-group-africa = Afrique
time-zone-group-america = Amériques
time-zone-group-asia = Asie
time-zone-group-australia = Australie
time-zone-group-pacific = Océan Pacifique
time-zone-group-indian = Océan Indien
time-zone-group-atlantic = Océan Atlantique
time-zone-group-antarctica = Antarctique
time-zone-group-arctic = Arctique
time-zone-group-other = Autres fuseaux
event-zone-time = (soit { $time }, heure { $zone_after })
## Issue 13, finding things (helper S): forum search, directory layout, lists
search-title = Rechercher dans les forums
search-title-forum = Rechercher dans « { $forum } »
search-field = Mots cherchés
search-field-forum = Chercher dans ce forum
search-submit = Rechercher
search-in-forum = Seulement dans « { $forum } »
search-count = { $count ->
    [0] Aucun message trouvé.
    [one] Un message trouvé.
   *[other] { $count } messages trouvés.
}
search-none = Essayez un autre mot, un mot plus court (« robot » trouve « robotique ») ou tous les forums.
search-truncated = Beaucoup de messages correspondent : seuls les plus récents sont lus. Ajoutez un mot pour préciser.
search-reply-in = Réponse dans « { $thread } »
search-where = { $forum } · { $author } · { $date }
search-title-project = Rechercher dans le forum de « { $project } »
search-back-to-project = Retour au forum de « { $project } »
search-none-project = Essayez un autre mot ou un mot plus court (« robot » trouve « robotique »).
search-project-field = Chercher dans le forum du projet
## Issue 13, part M: moderation (reports queue, removal reasons)
## Issue 13, part M: moderation (reports queue, removal reasons) and sign-up applications
nav-moderation = Modération
nav-moderation-open = { $count } signalement(s) en attente
reports-queue-intro = Signalements en attente dans les forums que vous modérez, du plus ancien au plus récent.
reports-untitled = (message sans titre)
reports-reported-by = Signalé par { $who }
reports-author = message de { $who }
reports-reason = Motif du signalement : { $reason }
reports-already-removed = déjà retiré
reports-note = Note pour l’équipe de modération (facultative)
reports-note-help = Lue par les seuls modérateurs ; jamais montrée à l’auteur du message ni à qui l’a signalé.
reports-remove-post = Retirer aussi le message
reports-remove-reason = Motif du retrait, montré à l’auteur
reports-remove-reason-help = Obligatoire si vous retirez le message. L’identité de qui a signalé n’est jamais montrée.
reports-resolve = Traiter
reports-dismiss = Classer
report-remove-confirm-title = Retirer ce message ?
report-remove-confirm-question = Le message « { $title } » sera retiré du forum ; son auteur lira le motif : « { $reason } ».
report-remove-confirm-detail = Le retrait est envoyé aux instances qui suivent le forum, et les autres signalements de ce message sont traités en même temps.
report-remove-confirm-detail-thread = C’est le premier message du fil : tout le fil est retiré, avec ses réponses. Le retrait est envoyé aux instances qui suivent le forum, et les autres signalements de ce message sont traités en même temps.
report-remove-confirm-button = Retirer et traiter
notice-report-resolved = Signalement traité : « { $name } ».
notice-report-resolved-removed = Message retiré, signalement traité : « { $name } ».
notice-report-dismissed = Signalement classé : « { $name } ».
post-removed-own = Votre message « { $title } » a été retiré par la modération.
post-removed-reason = Motif : { $reason }
forum-removed-heading = Vos messages retirés par la modération
forum-removed-item = « { $title } », retiré le { $date }.
error-report_closed = Ce signalement est déjà traité ou classé.
directory-filters = Filtres
directory-apply = Appliquer les filtres
directory-any-subject = Toutes les matières
directory-any-academy = Toutes les académies
directory-count-both = { $projects ->
    [0] Aucun projet
    [one] Un projet
   *[other] { $projects } projets
} et { $people ->
    [0] aucun enseignant trouvé.
    [one] un enseignant trouvés.
   *[other] { $people } enseignants trouvés.
}
directory-count-projects = { $count ->
    [0] Aucun projet trouvé.
    [one] Un projet trouvé.
   *[other] { $count } projets trouvés.
}
directory-count-people = { $count ->
    [0] Aucun enseignant trouvé.
    [one] Un enseignant trouvé.
   *[other] { $count } enseignants trouvés.
}
field-subjects-other = Autres matières
field-academy-none = Aucune académie
signup-school = Établissement ou structure
signup-school-help = Où vous exercez (collège, lycée, école, association…), pour que les administrateurs vous situent.
signup-motivation = Pourquoi rejoindre cette instance ?
signup-motivation-help = Quelques phrases lues par les administrateurs avant de valider votre inscription (1 000 caractères au plus).
admin-application = Candidature
admin-application-school = Établissement : { $school }
# Issue 13, part D: trust labels in plain words (the "pourquoi ?" panel, the pill).
trust-verified-by-admins = vérifié par les administrateurs de { $instance }
trust-pill-institutional = Institutionnel
trust-pill-associative = Associatif
trust-pill-informal = Informel
trust-informal-note = — n’engage que son auteur
trust-as-institutional = institutionnelle
trust-as-associative = associative
trust-as-informal = informelle
trust-this-instance = cette instance
trust-says-own = Publié ici, sur { $here }.
trust-says-institutional = L’instance { $host } se présente comme un nœud institutionnel.
trust-says-institutional-org = L’instance { $host } se présente comme un nœud institutionnel, celui de l’organisation « { $org } ».
trust-says-associative = L’instance { $host } se présente comme une instance associative.
trust-says-associative-org = L’instance { $host } se présente comme une instance associative, celle de l’organisation « { $org } ».
trust-says-informal = L’instance { $host } se présente comme une instance informelle.
trust-says-informal-org = L’instance { $host } se présente comme une instance informelle (« { $org } »).
trust-checked-own = Son niveau est celui que ses administrateurs ont fixé dans sa configuration.
trust-checked-attestation = { $authority } l’atteste par une attestation signée, valable jusqu’au { $until } ; { $here } a vérifié cette signature le { $checked }.
trust-checked-domain-rule = Les administrateurs de { $here } reconnaissent toute instance du domaine { $pattern } comme { $level }.
trust-checked-manual = Les administrateurs de { $here } l’ont reconnue comme { $level } le { $decided }, pour ce motif : « { $note } ».
trust-checked-manual-no-note = Les administrateurs de { $here } l’ont reconnue comme { $level } le { $decided }.
trust-checked-declared = Mais elle ne se déclare pas davantage, et { $here } ne lui donne jamais plus que ce qu’elle déclare.
trust-checked-ceiling = Les administrateurs de { $here } limitent à ce niveau tout ce qui vient de { $host }.
trust-checked-person-domain = Mais l’adresse électronique vérifiée de l’auteur n’est pas d’un domaine reconnu pour cette instance : ses contributions sont donc montrées comme informelles.
trust-checked-unverified = { $here } n’a pas pu le vérifier : aucune attestation d’une autorité qu’elle reconnaît, aucune règle ni décision de ses administrateurs. Ce qui vient de cette instance est donc montré comme informel.
trust-checked-nothing = { $here } n’a rien de plus à vérifier à son sujet : aucune attestation, aucune règle ni décision de ses administrateurs ne la concerne.
trust-checked-removed = Elle avait un niveau plus élevé, retiré le { $date } : son attestation a expiré ou n’a plus pu être vérifiée.
trust-means-informal = Ce que veut dire « informel » : ce qui est publié n’engage que son auteur ; personne n’a vérifié pour vous qui il est.
trust-means-associative = Ce que veut dire « associatif » : une association tient l’instance et valide ses inscriptions ; ce qui est publié engage son auteur, pas une institution.
trust-means-institutional = Ce que veut dire « institutionnel » : l’auteur a une adresse académique vérifiée, l’institution sait qui parle ; chacun reste responsable de ce qu’il écrit.

# Avatars (issue 13)
avatar-heading = Photo de profil
avatar-file = Image (PNG, JPEG, WebP ou GIF, 5 Mo au plus)
avatar-help = L’image est recadrée en carré au centre et réduite ; sans image, vos initiales sont affichées.
avatar-upload = Envoyer la photo
avatar-remove = Retirer la photo
notice-avatar-saved = Photo de profil enregistrée.
notice-avatar-removed = Photo de profil retirée.
confirm-remove-avatar-title = Retirer votre photo de profil ?
confirm-remove-avatar-question = Vos initiales seront affichées à sa place.
confirm-remove-avatar-detail = Les autres instances verront le changement à leur prochaine mise à jour de votre profil.
confirm-remove-avatar-button = Retirer la photo
error-avatar_too_large = Cette image dépasse 5 Mo.
error-avatar_dimensions_too_large = Cette image est trop grande (8000 pixels de côté et 40 mégapixels au plus).
error-avatar_unreadable = Ce fichier n’est pas une image lisible (PNG, JPEG, WebP ou GIF).
# Bans from a local forum (issue 13)
forum-bans-title = Exclusions du forum « { $forum } »
forum-bans-intro = Une personne exclue ne peut plus ouvrir de fil, répondre ni voter dans ce forum, ici comme sur les instances qui le relaient. Une instance exclue : toutes les personnes qui y ont leur compte.
forum-bans-current = Exclusions en cours
forum-bans-empty = Personne n’est exclu de ce forum.
forum-bans-whole-instance = toute l’instance
forum-bans-by = Décidée par { $who }
forum-bans-until = jusqu’au
forum-bans-forever = sans limite de durée
forum-bans-lift = Lever l’exclusion
forum-bans-new = Exclure une personne ou une instance
forum-bans-who = Qui exclure
forum-bans-who-help = Une personne : nom@instance (ou son nom seul si elle est inscrite ici). Une instance entière : son domaine, par exemple exemple.fr.
forum-bans-reason = Motif
forum-bans-reason-line = Motif : { $reason }
forum-bans-reason-help = La personne exclue et les autres instances le liront.
forum-bans-length = Durée
forum-bans-length-1d = Un jour
forum-bans-length-1w = Une semaine
forum-bans-length-1m = Un mois
forum-bans-length-date = Jusqu’à la date ci-dessous
forum-bans-length-forever = Sans limite de durée
forum-bans-until-date = Date de fin
forum-bans-until-help = Seulement pour « Jusqu’à la date ci-dessous » : l’exclusion cesse ce jour-là à 0 h (UTC).
forum-bans-submit = Exclure
forum-bans-link = Exclusions
post-ban = Bannir
notice-forum-banned = Exclusion enregistrée : { $name }.
notice-forum-ban-lifted = Exclusion levée : { $name }.
confirm-forum-ban-lift-title = Lever l’exclusion de { $name } ?
confirm-forum-ban-lift-question = { $name } pourra de nouveau publier et voter dans ce forum.
confirm-forum-ban-lift-detail = Les instances qui relaient le forum en sont informées.
confirm-forum-ban-lift-button = Lever l’exclusion
# Changing what was shared in a project (edit, delete).
project-item-edit = Modifier
project-item-delete = Supprimer
project-edit-post-title = Modifier le message
project-edit-event-title = Modifier l’événement
project-edit-document-title = Renommer le document
project-edit-save = Enregistrer les modifications
field-document-name = Nom du document
notice-project-post-edited = Message modifié.
notice-project-event-edited = « { $name } » modifié.
notice-project-document-renamed = Document renommé « { $name } ».
notice-project-post-deleted = Message supprimé.
notice-project-event-deleted = Événement supprimé de l’agenda.
notice-project-document-deleted = Document supprimé.
confirm-project-post-delete-title = Supprimer ce message ?
confirm-project-post-delete-question = Le message « { $name } » sera supprimé, ici et sur les instances des autres membres.
confirm-project-post-delete-detail = Les réponses d’un fil supprimé restent visibles.
confirm-project-post-delete-button = Supprimer le message
confirm-project-event-delete-title = Supprimer cet événement ?
confirm-project-event-delete-question = « { $name } » sera retiré de l’agenda du projet, ici et sur les instances des autres membres.
confirm-project-event-delete-button = Supprimer l’événement
confirm-project-document-delete-title = Supprimer ce document ?
confirm-project-document-delete-question = « { $name } » et toutes ses versions seront supprimés ; les fichiers sont effacés de cette instance.
confirm-project-document-delete-detail = Les autres instances du projet le retirent aussi de leur liste.
confirm-project-document-delete-button = Supprimer le document
## Conversations (issue 14): web/conversations.rs, templates conversations*.html
error-not_conversation_participant = Réservé aux participants de la conversation (acceptez d’abord l’invitation).
error-not_conversation_creator = Seul le créateur de la conversation peut retirer un participant.
error-invitee_not_a_contact = Seuls vos contacts acceptés peuvent être invités à une conversation.
error-conversation_level_too_low = Cette conversation n’accepte pas de participants de ce niveau de confiance.
error-no_conversation_invitation = Aucune invitation en attente pour cette conversation.
error-no_message_request = Aucune demande de message en attente dans cette conversation.
error-direct_conversation = Une conversation directe se tient à deux : personne ne peut y être invité ni en être retiré.
error-already_participant = Cette personne participe déjà à la conversation.
error-not_a_participant = Seules les instances d’un participant à cette conversation peuvent la lire.
error-not_conversation_host = Seule l’instance qui héberge la conversation peut envoyer ceci.
error-invitee_without_messaging = Cette personne ne peut pas utiliser la messagerie sur son instance (désactivée, ou non ouverte à son compte).
error-not_current_participant = Cette personne ne participe plus à la conversation et n’y est pas invitée.
nav-messages = Messages
nav-messages-unread = ({ $count } à lire)
conversations-title = Messages
conversations-intro = Vos conversations avec vos contacts, de cette instance ou d’une autre. Elles sont privées : seuls leurs participants les lisent.
conversations-invitations = Invitations à des conversations
conversations-invited-by = { $name } vous invite à la conversation « { $title } ».
conversations-accept = Accepter
conversations-decline = Refuser
conversations-mine = Mes conversations
conversations-none = Aucune conversation pour l’instant.
conversations-unread = { $count ->
    [one] { $count } message non lu
   *[other] { $count } messages non lus
}
conversations-removed = { $name } vous a retiré de la conversation { $title }.
conversations-new = Nouvelle conversation
conversations-name = Nom de la conversation
conversations-name-hint = Obligatoire : ce nom est montré aux participants.
conversations-contacts = Contacts à inviter
conversations-contacts-hint = Chacun recevra une invitation à accepter avant de rejoindre la conversation.
conversations-no-contacts = Vous n’avez pas encore de contact accepté : demandez d’abord un contact depuis « Mes demandes » ou un profil.
conversations-min-level = Niveau de confiance minimal des participants
conversations-min-level-any = Tous niveaux
conversations-create = Commencer la conversation
conversation-line-locked = Le salon de discussion est verrouillé : entrée impossible jusqu’à ce que la configuration soit terminée.
conversation-line-unlocked = Le salon de discussion est maintenant déverrouillé.
conversation-line-joined = { $name } a rejoint la conversation | { $time }
conversation-line-left = { $name } a quitté la conversation : { $time }
conversation-messages = Messages et événements
conversation-message-edited = modifié
conversation-message-deleted = Message supprimé.
conversation-attachments = { $count ->
    [one] Pièce jointe (lien vers son serveur) :
   *[other] Pièces jointes (liens vers leur serveur) :
}
conversation-message-refused = Refusé par l’instance qui accueille la conversation : { $reason }. Les autres participants ne l’ont pas reçu.
conversation-edit = Modifier
conversation-save = Enregistrer
conversation-delete = Supprimer
conversation-delete-title = Supprimer ce message ?
conversation-delete-question = Votre message sera supprimé pour tous les participants.
conversation-write = Votre message
conversation-write-hint = Markdown : *italique*, **gras**, liens. Les émoticônes peuvent être tapées directement.
conversation-smileys = Émoticônes
conversation-send = Envoyer
conversation-send-failed = Le message n’a pas pu être envoyé : vérifiez la connexion, puis réessayez.
conversation-participants = Participants
conversation-creator = créateur
conversation-invited = invitation en attente
conversation-remove = Retirer de la conversation
conversation-remove-title = Renvoyer ce participant de la conversation ?
conversation-remove-question = { $name } sera retiré de la conversation « { $title } » et en sera averti.
conversation-remove-button = Oui, retirer
conversation-invite = Inviter un contact
conversation-invite-none = Tous vos contacts participent déjà ou sont invités.
conversation-invite-button = Inviter
conversation-leave = Quitter la conversation
conversation-leave-title = Quitter cette conversation ?
conversation-leave-question = Vous ne verrez plus la conversation « { $title } » ; un participant pourra vous inviter à nouveau.
conversation-leave-button = Oui, quitter
conversation-export = Exporter en texte
conversation-min-level = Réservée aux participants de niveau : { $level }
conversation-export-title = Conversation « { $title } », exportée le { $time }
conversation-export-deleted = (message supprimé)
notice-conversation-created = Conversation « { $name } » créée ; les invitations sont envoyées.
notice-conversation-invited = Invitation à la conversation envoyée à { $name }.
notice-conversation-accepted = Vous avez rejoint la conversation « { $name } ».
notice-conversation-declined = Invitation à la conversation « { $name } » refusée.
notice-conversation-left = Vous avez quitté la conversation « { $name } ».
notice-conversation-removed = { $name } a été retiré de la conversation.
notice-conversation-sent = Message envoyé.
notice-conversation-edited = Message modifié.
notice-conversation-deleted = Message supprimé.

## Contacts in categories (seed 004)
contacts-page-title = Contacts
contacts-page-intro = { $count ->
    [0] Aucun contact pour l’instant.
    [one] Un contact, en comptant les invitations envoyées.
   *[other] { $count } contacts, en comptant les invitations envoyées.
}
contacts-page-requests-link = Les demandes reçues sont dans « Mes demandes ».
contacts-others = Autres contacts
contact-state-accepted = Contact accepté
contact-state-pending = Invitation en attente
contact-state-refused = Invitation refusée
contacts-move-to = Déplacer { $name } vers la catégorie
contacts-move = Déplacer
contacts-remove = Supprimer le contact
contacts-category-empty = Cette catégorie est vide ; elle disparaîtra lorsqu’elle aura perdu son dernier contact.
contacts-rename-label = Nouveau nom
contacts-rename = Renommer
contacts-delete-category = Supprimer la catégorie
contacts-new-category = Créer une catégorie
field-category-name = Nom de la catégorie
contacts-create-category = Créer la catégorie
contacts-add = Ajouter un contact
field-contact-category = Catégorie
nav-contacts = Mes contacts
conversations-contacts-link = Mes contacts et leur présence
notice-contact-category-created = Catégorie « { $name } » créée.
notice-contact-category-renamed = Catégorie renommée en « { $name } ».
notice-contact-category-deleted = Catégorie « { $name } » supprimée ; ses contacts sont dans « Autres contacts ».
notice-contact-category-emptied = La catégorie « { $name } » ne contient plus de contacts : elle a été supprimée.
notice-contact-moved = { $name } a changé de catégorie.
notice-contact-removed = { $name } ne fait plus partie de vos contacts, et vous ne faites plus partie des siens.
confirm-delete-contact-category-title = Supprimer la catégorie « { $name } » ?
confirm-delete-contact-category-question = La catégorie « { $name } » sera supprimée ; ses contacts seront déplacés dans « Autres contacts ».
confirm-delete-contact-category-button = Oui, supprimer la catégorie
confirm-remove-contact-title = Supprimer { $name } de vos contacts ?
confirm-remove-contact-question = { $name } sera supprimé de vos contacts, et vous disparaîtrez de ses contacts.
confirm-remove-contact-detail = La suppression se fait des deux côtés, y compris sur son instance.
confirm-remove-contact-button = Oui, supprimer le contact
error-not_a_contact = Cette personne ne fait pas partie de vos contacts.
block-person = Bloquer cette personne
block-unblock = Débloquer
block-state-blocked = Vous avez bloqué cette personne : ses demandes et ses messages ne vous parviennent pas.
confirm-block-person-title = Bloquer { $name } ?
confirm-block-person-question = { $name } ne pourra plus vous demander en contact ni vous écrire ; si vous êtes en contact, le contact est supprimé des deux côtés.
confirm-block-person-detail = { $name } n’est pas prévenu du blocage. Vous pourrez le lever depuis la page Contacts.
confirm-block-person-button = Oui, bloquer
notice-person-blocked = { $name } est bloqué.
notice-person-unblocked = { $name } n’est plus bloqué.
contacts-blocked-heading = Personnes bloquées
contacts-blocked-none = Vous n’avez bloqué personne.
contacts-block = Bloquer
error-block_self = Vous ne pouvez pas vous bloquer vous-même.
error-already_blocked = Vous avez déjà bloqué cette personne.
error-not_blocked = Vous n’avez pas bloqué cette personne.
error-person_blocked = Vous avez bloqué cette personne : débloquez-la d’abord.
presence-available = Disponible
presence-away = Absent
presence-busy = Ne pas déranger
presence-legend = Mon état
presence-current = État : { $status }
notice-presence-available = Vous êtes maintenant « Disponible ».
notice-presence-away = Vous êtes maintenant « Absent ».
notice-presence-busy = Vous êtes maintenant « Ne pas déranger ».
contacts-add-person = Ajouter aux contacts

## Issue 14: direct messages from other servers (Demandes de message)
message-requests = Demandes de message
message-requests-intro = Des personnes d’autres serveurs (Mastodon, Pleroma…) qui ne sont pas vos contacts vous ont écrit. Acceptez pour leur répondre ; ignorez pour ne plus voir leurs messages (elles n’en sont pas averties).
message-requests-from = { $name } ({ $handle }) vous a écrit { $count ->
    [one] un message
   *[other] { $count } messages
 }.
message-requests-accept = Accepter
message-requests-ignore = Ignorer
notice-message-request-accepted = { $name } : demande acceptée, vous pouvez lui répondre.
notice-message-request-ignored = { $name } : demande ignorée, ses messages ne vous seront plus montrés.
conversation-direct = Conversation directe, ouverte par un message d’un autre serveur : elle réunit les personnes à qui il s’adressait, personne ne peut y être invité.

# A label before its value ("Matières enseignées : …"), and a name quoted.
label-colon = { $label } :
quoted = « { $text } »
