# Interface web de Cartella — français. Chaque message doit exister en it, fr et de (un test le vérifie).

## Mise en page
skip-to-content = Aller au contenu
main-navigation = Navigation principale
account = Mon compte
sign-in = Se connecter
sign-out = Se déconnecter
language = Langue
change-language = Modifier
search-patients = Rechercher un patient
search-placeholder = Rechercher un patient : nom, date de naissance ou identifiant
back-home = Retour à l'accueil
back-to-sign-in = Retour à la connexion
cancel = Annuler
save = Enregistrer
verify = Vérifier
nav-home = Accueil
nav-patients = Patients
nav-staff = Équipe
nav-settings = Paramètres du cabinet
nav-audit = Journal d'audit

## Connexion
email = Adresse e-mail
password = Mot de passe
practice-code = Code du cabinet
practice-code-hint = Nécessaire uniquement si vous travaillez pour plusieurs cabinets.
practice-code-rules = Lettres minuscules, chiffres et tirets, par ex. cabinet-martin. Sert à la connexion et dans les liens.
forgot-password = Mot de passe oublié ?
notice-signed-out = Vous êtes maintenant déconnecté.
notice-password-reset = Votre mot de passe a été modifié. Connectez-vous avec le nouveau mot de passe.
notice-setup-done = Le cabinet est prêt. Connectez-vous en tant qu'administrateur.
mfa-title = Vérification en deux étapes
mfa-explain = Saisissez le code à 6 chiffres de votre application d'authentification, ou l'un de vos codes de secours.
mfa-code = Code
mfa-code-hint = 6 chiffres, ou un code de secours
error-invalid-credentials = Adresse e-mail ou mot de passe incorrect, ou trop de tentatives. Veuillez réessayer plus tard.
error-invalid-code = Le code est incorrect ou a expiré.
error-rate-limited = Trop de tentatives. Réessayez dans { $seconds } secondes.
error-check-fields = Veuillez corriger les champs signalés.
error-internal = Une erreur s'est produite de notre côté. Vos données sont en sécurité ; veuillez réessayer.
error-title = Erreur
error-csrf-title = Formulaire expiré
error-csrf = Ce formulaire n'a pas pu être vérifié (il a peut-être expiré ou provient d'un autre site). Revenez en arrière, rechargez la page et réessayez.
error-forbidden-title = Accès non autorisé
error-forbidden = Votre rôle ne permet pas d'accéder à cette page.
error-not-found-title = Introuvable
error-not-found = La page ou la fiche demandée n'existe pas.
error-current-password = Le mot de passe actuel est incorrect.
error-setup-token = Ce code d'installation est incorrect, expiré ou déjà utilisé. Utilisez le code affiché par cartella serve.

## Premier démarrage
setup-title = Installation de Cartella
setup-explain = Créez le cabinet et son premier administrateur. Vous aurez besoin du code d'installation affiché dans la console du serveur.
setup-token = Code d'installation
setup-token-hint = Affiché par « cartella serve » au premier démarrage.
setup-practice = Le cabinet
setup-admin = Le premier administrateur
setup-submit = Créer le cabinet
practice-name = Nom du cabinet
time-zone = Fuseau horaire
full-name = Prénom et nom

## Mots de passe
password-rules = Au moins 12 caractères, dont des majuscules et des minuscules, un chiffre et un symbole.
password-problem-too-short = utilisez au moins 12 caractères
password-problem-too-long = utilisez au plus 256 caractères
password-problem-no-uppercase = ajoutez une majuscule
password-problem-no-lowercase = ajoutez une minuscule
password-problem-no-digit = ajoutez un chiffre
password-problem-no-symbol = ajoutez un symbole, par exemple ! ? # ou %
password-problem-common = ce mot de passe est trop courant (il figure dans des listes de mots de passe divulgués)
password-problem-contains-email = n'utilisez pas votre adresse e-mail dans le mot de passe
reset-explain = Saisissez votre adresse e-mail : si elle correspond à un compte, nous vous enverrons un lien pour choisir un nouveau mot de passe.
reset-send = Envoyer le lien
reset-sent = Si l'adresse correspond à un compte, un lien pour choisir un nouveau mot de passe vient de vous être envoyé. Il n'est valable que pendant une durée limitée.
reset-title = Choisir un nouveau mot de passe
reset-submit = Enregistrer le nouveau mot de passe
new-password = Nouveau mot de passe
current-password = Mot de passe actuel
change-password = Modifier le mot de passe

## Compte
notice-language-saved = Langue enregistrée.
notice-password-changed = Mot de passe modifié. Vos autres appareils ont été déconnectés.
two-factor = Vérification en deux étapes
two-factor-on = La vérification en deux étapes est activée.
two-factor-off = La vérification en deux étapes est désactivée. Activez-la pour protéger les données des patients grâce à une seconde étape lors de la connexion.
two-factor-enable = Activer la vérification en deux étapes
two-factor-required = Votre cabinet exige la vérification en deux étapes pour votre rôle. Configurez-la pour continuer.
two-factor-step-app = Installez une application d'authentification (par exemple FreeOTP, Aegis ou Google Authenticator).
two-factor-step-scan = Scannez ce QR code avec l'application.
two-factor-manual = Ou saisissez cette clé manuellement :
two-factor-step-code = Saisissez le code à 6 chiffres affiché par l'application.
recovery-new = Nouveaux codes de secours
recovery-title = Vos codes de secours
recovery-explain = Chaque code n'est utilisable qu'une seule fois, en cas de perte de votre téléphone. Imprimez-les ou conservez-les en lieu sûr : ils ne seront plus affichés.
recovery-saved = Je les ai conservés
sessions = Sessions
sign-out-everywhere = Se déconnecter partout
sign-out-everywhere-explain = Vous déconnecte de tous les ordinateurs, tablettes et applications, y compris celui-ci.
field-error-required = Ce champ est obligatoire.
field-error-time-zone = Choisissez un fuseau horaire dans la liste.
field-error-language = Choisissez l'une des langues proposées.

## Accueil
home-greeting = Bonjour, { $name }
home-front-desk = Secrétariat
home-open-encounters = Consultations en cours
home-no-open-encounters = Aucune consultation en cours.
home-recent-patients = Patients récemment mis à jour
home-no-recent = Aucun patient pour le moment.
home-admin = Administration
home-staff-count = { $count ->
    [one] { $count } membre de l'équipe
   *[other] { $count } membres de l'équipe
}
patient-new = Nouveau patient
yes = Oui
no = Non
done = Terminé

## Rôles
role-administrator = Administrateur
role-doctor = Médecin
role-surgeon = Chirurgien
role-dentist = Chirurgien-dentiste
role-nurse = Infirmier
role-physiotherapist = Masseur-kinésithérapeute
role-hygienist = Hygiéniste dentaire
role-secretary = Secrétaire médicale
role-patient = Patient
role-external = Intervenant extérieur

## Gestion de l'équipe
staff-add = Ajouter un membre de l'équipe
staff-edit = Modifier les rôles
staff-roles = Rôles
staff-status = Statut
staff-active = Actif
staff-disabled = Désactivé
staff-locked = Bloqué après des échecs de connexion
staff-enable = Activer
staff-disable = Désactiver
staff-reset-2fa = Réinitialiser la vérification en deux étapes
staff-invite-explain = Le nouveau membre reçoit un e-mail contenant un lien pour choisir son mot de passe.
staff-roles-required = Choisissez au moins un rôle.
notice-staff-invited = Invitation envoyée.
notice-staff-saved = Modifications enregistrées.
clients-title = Clients API
clients-add = Ajouter un client API
clients-name = Nom
clients-id = Identifiant client
clients-secret = Secret client
clients-scopes = Portées (scopes)
clients-scopes-hint = Portées SMART séparées par des espaces, par ex. system/*.read system/Observation.write
clients-redirects = URI de redirection
clients-redirects-hint = Uniquement pour les applications qui connectent des utilisateurs ; séparez plusieurs URI par des espaces.
clients-rate-limit = Requêtes par heure
clients-rate-limit-hint = Laissez vide pour utiliser la valeur par défaut du serveur ; 0 signifie illimité.
clients-none = Aucun client API pour le moment.
clients-secret-once = Copiez le secret maintenant : il ne sera affiché qu'une seule fois.
field-error-whole-number = Saisissez un nombre entier supérieur ou égal à 0.

## Paramètres du cabinet
settings-address = Adresse
settings-phone = Téléphone
settings-default-language = Langue par défaut
settings-mfa-roles = Vérification en deux étapes obligatoire pour
settings-mfa-roles-hint = Les membres de l'équipe ayant ces rôles doivent configurer la vérification en deux étapes avant de pouvoir travailler.
notice-settings-saved = Paramètres enregistrés.

## Patients
search = Rechercher
edit = Modifier
filter = Filtrer
page-first = Première page
page-next = Suivant
page-previous = Précédent
page-older = Plus anciens
patient-status = Statut
patient-status-active = Actif
patient-status-inactive = Inactif
patient-status-all = Tous
patient-name = Nom
patient-family = Nom de famille
patient-given = Prénom(s)
patient-birth-date = Date de naissance
patient-sex = Sexe
sex-female = Féminin
sex-male = Masculin
sex-other = Autre
sex-unknown = Inconnu
patient-identifier = Identifiant
patient-identifiers = Identifiants
patient-identifier-type = Type
patient-identifier-value = Numéro
identifier-codice-fiscale = Code fiscal italien (codice fiscale)
identifier-nir = Numéro de sécurité sociale (NIR)
identifier-kvnr = Numéro d'assurance maladie allemand (KVNR)
identifier-other = Autre identifiant
patient-phone = Téléphone
patient-contacts = Coordonnées et adresse
patient-address = Numéro et voie
patient-postal-code = Code postal
patient-city = Ville
patient-country = Pays
patient-language = Langue préférée
patient-emergency-contact = Personne à prévenir
patient-relationship = Lien avec le patient
patient-gp = Médecin traitant
patient-notes = Remarques
patient-identity = Identité
patient-none-found = Aucun patient ne correspond à la recherche.
patient-none-yet = Aucun patient enregistré pour le moment.
patient-edit = Modifier la fiche patient
patient-created = Patient enregistré.
patient-saved = Modifications enregistrées.
patient-deactivate = Désactiver
patient-age = { $years ->
    [one] { $years } an
   *[other] { $years } ans
}
patient-duplicate-warning = Un patient portant le même nom et la même date de naissance est déjà enregistré. Vérifiez qu'il ne s'agit pas de la même personne.
patient-duplicate-confirm = Il s'agit d'une autre personne : enregistrer quand même
field-error-too-long = Cette valeur est trop longue.
field-error-invalid-date = Saisissez une date valide.
field-error-future-date = La date ne peut pas être dans le futur.
field-error-invalid-email = Saisissez une adresse e-mail valide.
field-error-invalid-phone = Saisissez un numéro de téléphone valide (chiffres, espaces, + et -).
field-error-invalid-codice-fiscale = Ce codice fiscale n'est pas valide (vérifiez les lettres et le caractère de contrôle final).
field-error-invalid-nir = Ce NIR n'est pas valide (13 chiffres et une clé de 2 chiffres qui doit correspondre).
field-error-invalid-kvnr = Ce KVNR n'est pas valide (une lettre, 8 chiffres et un chiffre de contrôle).
field-error-invalid-sex = Choisissez l'une des options.
field-error-invalid-language = Choisissez l'une des langues proposées.
field-error-invalid = Cette valeur n'est pas valide.
conflict-title = Modifiée entre-temps
conflict-explain = Cette fiche a été modifiée par { $who } le { $when } pendant que vous la modifiiez. Vos modifications n'ont pas été enregistrées.
conflict-what-now = Ouvrez la version actuelle et saisissez à nouveau vos modifications. Elles sont reprises ci-dessous afin que rien ne soit perdu.
conflict-reload = Ouvrir la version actuelle
conflict-view = Voir la fiche
conflict-your-changes = Vos modifications
merge-title = Fusionner un doublon
merge-explain = Fusionnez { $name } avec une autre fiche de la même personne. Les identifiants et coordonnées absents de l'autre fiche y sont copiés ; cette fiche est marquée comme inactive et renvoie vers l'autre. La fusion est consignée dans le journal d'audit.
merge-into = Identifiant de la fiche à conserver
merge-into-hint = Ouvrez la fiche à conserver et copiez l'identifiant figurant dans son adresse.
merge-submit = Fusionner
merge-done = Fiches fusionnées.

## Dossier patient
chart-alerts = Alertes
chart-allergy = Allergie
chart-high-risk = risque élevé
chart-no-known-allergies = Aucune allergie connue
chart-sections = Sections du dossier
chart-tab-timeline = Chronologie
chart-tab-details = Informations personnelles
chart-tab-clinical = Dossier médical
chart-tab-appointments = Rendez-vous
chart-tab-documents = Documents
chart-tab-empty = Rien n'a encore été saisi ici.
live-changed-by = Modifié par
live-reload = Recharger
timeline-type = Type
timeline-all = Tous
timeline-from = Du
timeline-to = Au
timeline-empty = Aucun élément sur cette période.
timeline-error-dates = La date de début doit précéder la date de fin.
kind-encounter = Consultation
kind-observation = Observation
kind-condition = Diagnostic
kind-allergy = Allergie
kind-medication = Ordonnance
kind-procedure = Acte
kind-document = Document
kind-appointment = Rendez-vous
kind-questionnaire = Examen clinique
kind-lab = Résultats de biologie
kind-immunization = Vaccination
kind-change = Fiche modifiée
kind-other = Autre

## Journal d'audit
audit-actor = Qui
audit-action = Action
audit-record-type = Type d'enregistrement
audit-record = Enregistrement
audit-outcome = Résultat
audit-origin = Origine
audit-when = Date
audit-none = Aucun événement ne correspond.
audit-export-csv = Exporter en CSV
audit-access-report = Qui a consulté ce dossier
audit-access-report-explain = Toutes les consultations et modifications du dossier de ce patient, comme l'exige un rapport d'accès au titre du RGPD.
field-error-invalid-choice = Choisissez l'une des options.
field-error-invalid-postal-code = Saisissez un code postal valide.
field-error-invalid-country = Saisissez le code pays à deux lettres (IT, FR, DE…).
field-error-invalid-system = Choisissez le type d'identifiant.
field-error-duplicate-identifier = Cet identifiant est saisi deux fois.
identifier-practice = Numéro de dossier du cabinet
error-staff-only = Cet espace de travail est réservé au personnel du cabinet. Les patients accèdent à leur dossier via les applications proposées par le cabinet.
