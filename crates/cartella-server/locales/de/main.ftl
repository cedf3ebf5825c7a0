# Cartella-Weboberfläche — Deutsch. Jede Meldung muss in it, fr und de vorhanden sein (ein Test prüft das).

## Seitenaufbau
skip-to-content = Zum Inhalt springen
main-navigation = Hauptnavigation
account = Mein Konto
sign-in = Anmelden
sign-out = Abmelden
language = Sprache
change-language = Ändern
search-patients = Patienten suchen
search-placeholder = Patienten suchen: Name, Geburtsdatum oder ID
back-home = Zurück zur Startseite
back-to-sign-in = Zurück zur Anmeldung
cancel = Abbrechen
save = Speichern
verify = Bestätigen
nav-home = Startseite
nav-patients = Patienten
nav-staff = Mitarbeiter
nav-settings = Praxiseinstellungen
nav-audit = Audit-Protokoll

## Anmeldung
email = E-Mail
password = Passwort
practice-code = Praxiskennung
practice-code-hint = Nur erforderlich, wenn Sie für mehr als eine Praxis tätig sind.
practice-code-rules = Kleinbuchstaben, Ziffern und Bindestriche, z. B. praxis-mueller. Wird bei der Anmeldung und in Links verwendet.
forgot-password = Passwort vergessen?
notice-signed-out = Sie wurden abgemeldet.
notice-password-reset = Ihr Passwort wurde geändert. Melden Sie sich mit dem neuen Passwort an.
notice-setup-done = Die Praxis ist eingerichtet. Melden Sie sich als Administrator an.
mfa-title = Zwei-Faktor-Authentifizierung
mfa-explain = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.
mfa-code = Code
mfa-code-hint = 6 Ziffern oder ein Wiederherstellungscode
error-invalid-credentials = E-Mail oder Passwort falsch oder zu viele Versuche. Bitte versuchen Sie es später erneut.
error-invalid-code = Der Code ist falsch oder abgelaufen.
error-rate-limited = Zu viele Versuche. Bitte versuchen Sie es in { $seconds } Sekunden erneut.
error-check-fields = Bitte korrigieren Sie die markierten Felder.
error-internal = Bei uns ist ein Fehler aufgetreten. Ihre Daten sind sicher; bitte versuchen Sie es erneut.
error-title = Fehler
error-csrf-title = Formular abgelaufen
error-csrf = Dieses Formular konnte nicht überprüft werden (es ist möglicherweise abgelaufen oder stammt von einer anderen Website). Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-forbidden-title = Keine Berechtigung
error-forbidden = Ihre Rolle berechtigt nicht zum Aufruf dieser Seite.
error-not-found-title = Nicht gefunden
error-not-found = Die Seite oder der Datensatz existiert nicht.
error-current-password = Das aktuelle Passwort ist nicht korrekt.
error-setup-token = Dieser Einrichtungscode ist falsch, abgelaufen oder wurde bereits verwendet. Verwenden Sie den von cartella serve ausgegebenen Code.

## Ersteinrichtung
setup-title = Cartella einrichten
setup-explain = Legen Sie die Praxis und ihren ersten Administrator an. Dazu benötigen Sie den Einrichtungscode, der in der Konsole des Servers ausgegeben wurde.
setup-token = Einrichtungscode
setup-token-hint = Wird von „cartella serve“ beim ersten Start ausgegeben.
setup-practice = Die Praxis
setup-admin = Der erste Administrator
setup-submit = Praxis anlegen
practice-name = Name der Praxis
time-zone = Zeitzone
full-name = Vor- und Nachname

## Passwörter
password-rules = Mindestens 12 Zeichen mit Groß- und Kleinbuchstaben, einer Ziffer und einem Sonderzeichen.
password-problem-too-short = verwenden Sie mindestens 12 Zeichen
password-problem-too-long = verwenden Sie höchstens 256 Zeichen
password-problem-no-uppercase = fügen Sie einen Großbuchstaben hinzu
password-problem-no-lowercase = fügen Sie einen Kleinbuchstaben hinzu
password-problem-no-digit = fügen Sie eine Ziffer hinzu
password-problem-no-symbol = fügen Sie ein Sonderzeichen hinzu, z. B. ! ? # oder %
password-problem-common = dieses Passwort ist zu verbreitet (es steht in Listen kompromittierter Passwörter)
password-problem-contains-email = verwenden Sie Ihre E-Mail-Adresse nicht im Passwort
reset-explain = Geben Sie Ihre E-Mail-Adresse ein: Gehört sie zu einem Konto, senden wir Ihnen einen Link, mit dem Sie ein neues Passwort festlegen können.
reset-send = Link senden
reset-sent = Wenn die Adresse zu einem Konto gehört, erhalten Sie in Kürze einen Link zum Festlegen eines neuen Passworts. Der Link ist nur begrenzte Zeit gültig.
reset-title = Neues Passwort festlegen
reset-submit = Neues Passwort speichern
new-password = Neues Passwort
current-password = Aktuelles Passwort
change-password = Passwort ändern

## Konto
notice-language-saved = Sprache gespeichert.
notice-password-changed = Passwort geändert. Auf anderen Geräten wurden Sie abgemeldet.
two-factor = Zwei-Faktor-Authentifizierung
two-factor-on = Die Zwei-Faktor-Authentifizierung ist aktiviert.
two-factor-off = Die Zwei-Faktor-Authentifizierung ist deaktiviert. Aktivieren Sie sie, um Patientendaten bei der Anmeldung durch einen zweiten Schritt zu schützen.
two-factor-enable = Zwei-Faktor-Authentifizierung aktivieren
two-factor-required = Ihre Praxis schreibt für Ihre Rolle die Zwei-Faktor-Authentifizierung vor. Richten Sie sie ein, um fortzufahren.
two-factor-step-app = Installieren Sie eine Authenticator-App (zum Beispiel FreeOTP, Aegis oder Google Authenticator).
two-factor-step-scan = Scannen Sie diesen QR-Code mit der App.
two-factor-manual = Oder geben Sie diesen Schlüssel manuell ein:
two-factor-step-code = Geben Sie den 6-stelligen Code ein, den die App anzeigt.
recovery-new = Neue Wiederherstellungscodes
recovery-title = Ihre Wiederherstellungscodes
recovery-explain = Jeder Code ist nur einmal gültig und hilft Ihnen, falls Sie Ihr Telefon verlieren. Drucken Sie die Codes aus oder bewahren Sie sie an einem sicheren Ort auf: Sie werden nicht erneut angezeigt.
recovery-saved = Ich habe sie gesichert
sessions = Sitzungen
sign-out-everywhere = Überall abmelden
sign-out-everywhere-explain = Meldet Sie auf allen Computern, Tablets und Apps ab, auch auf diesem Gerät.
field-error-required = Dies ist ein Pflichtfeld.
field-error-time-zone = Wählen Sie eine Zeitzone aus der Liste.
field-error-language = Wählen Sie eine der angebotenen Sprachen.

## Startseite
home-greeting = Guten Tag, { $name }
home-front-desk = Empfang
home-open-encounters = Offene Konsultationen
home-no-open-encounters = Keine offenen Konsultationen.
home-recent-patients = Kürzlich geänderte Patienten
home-no-recent = Noch keine Patienten erfasst.
home-admin = Verwaltung
home-staff-count = { $count ->
    [one] { $count } Mitarbeiter
   *[other] { $count } Mitarbeiter
}
patient-new = Neuer Patient
yes = Ja
no = Nein
done = Fertig

## Rollen
role-administrator = Administrator
role-doctor = Arzt
role-surgeon = Chirurg
role-dentist = Zahnarzt
role-nurse = Pflegekraft
role-physiotherapist = Physiotherapeut
role-hygienist = Dentalhygieniker
role-secretary = Sekretariat
role-patient = Patient
role-external = Externer Mitarbeiter

## Mitarbeiterverwaltung
staff-add = Mitarbeiter hinzufügen
staff-edit = Rollen bearbeiten
staff-roles = Rollen
staff-status = Status
staff-active = Aktiv
staff-disabled = Deaktiviert
staff-locked = Nach fehlgeschlagenen Anmeldeversuchen gesperrt
staff-enable = Aktivieren
staff-disable = Deaktivieren
staff-reset-2fa = Zwei-Faktor-Authentifizierung zurücksetzen
staff-invite-explain = Der neue Mitarbeiter erhält eine E-Mail mit einem Link, über den er ein Passwort festlegen kann.
staff-roles-required = Wählen Sie mindestens eine Rolle.
notice-staff-invited = Einladung gesendet.
notice-staff-saved = Änderungen gespeichert.
clients-title = API-Clients
clients-add = API-Client hinzufügen
clients-name = Name
clients-id = Client-ID
clients-secret = Client-Secret
clients-scopes = Berechtigungen (Scopes)
clients-scopes-hint = SMART-Scopes, durch Leerzeichen getrennt, z. B. system/*.read system/Observation.write
clients-redirects = Weiterleitungs-URIs
clients-redirects-hint = Nur für Apps, über die sich Benutzer anmelden; mehrere URIs durch Leerzeichen trennen.
clients-rate-limit = Anfragen pro Stunde
clients-rate-limit-hint = Leer lassen für den Standardwert des Servers; 0 bedeutet unbegrenzt.
clients-none = Noch keine API-Clients.
clients-secret-once = Kopieren Sie das Secret jetzt: Es wird nur einmal angezeigt.
field-error-whole-number = Geben Sie eine ganze Zahl ab 0 ein.

## Praxiseinstellungen
settings-address = Anschrift
settings-phone = Telefon
settings-default-language = Standardsprache
settings-mfa-roles = Zwei-Faktor-Authentifizierung verpflichtend für
settings-mfa-roles-hint = Mitarbeiter mit diesen Rollen müssen die Zwei-Faktor-Authentifizierung einrichten, bevor sie arbeiten können.
notice-settings-saved = Einstellungen gespeichert.

## Patienten
search = Suchen
edit = Bearbeiten
filter = Filtern
page-first = Erste Seite
page-next = Weiter
page-previous = Zurück
page-older = Ältere
patient-status = Status
patient-status-active = Aktiv
patient-status-inactive = Inaktiv
patient-status-all = Alle
patient-name = Name
patient-family = Nachname
patient-given = Vorname(n)
patient-birth-date = Geburtsdatum
patient-sex = Geschlecht
sex-female = Weiblich
sex-male = Männlich
sex-other = Divers
sex-unknown = Unbekannt
patient-identifier = Kennung
patient-identifiers = Kennungen
patient-identifier-type = Art
patient-identifier-value = Nummer
identifier-codice-fiscale = Italienische Steuernummer (Codice fiscale)
identifier-nir = Französische Sozialversicherungsnummer (NIR)
identifier-kvnr = Krankenversichertennummer (KVNR)
identifier-other = Andere Kennung
patient-phone = Telefon
patient-contacts = Kontaktdaten und Anschrift
patient-address = Straße und Hausnummer
patient-postal-code = PLZ
patient-city = Ort
patient-country = Land
patient-language = Bevorzugte Sprache
patient-emergency-contact = Notfallkontakt
patient-relationship = Beziehung zum Patienten
patient-gp = Hausarzt
patient-notes = Bemerkungen
patient-identity = Personalien
patient-none-found = Kein passender Patient gefunden.
patient-none-yet = Noch keine Patienten erfasst.
patient-edit = Stammdaten bearbeiten
patient-created = Patient angelegt.
patient-saved = Änderungen gespeichert.
patient-deactivate = Deaktivieren
patient-age = { $years ->
    [one] { $years } Jahr
   *[other] { $years } Jahre
}
patient-duplicate-warning = Ein Patient mit gleichem Namen und Geburtsdatum ist bereits erfasst. Prüfen Sie, ob es sich um dieselbe Person handelt.
patient-duplicate-confirm = Es handelt sich um eine andere Person: trotzdem anlegen
field-error-too-long = Die Eingabe ist zu lang.
field-error-invalid-date = Geben Sie ein gültiges Datum ein.
field-error-future-date = Das Datum darf nicht in der Zukunft liegen.
field-error-invalid-email = Geben Sie eine gültige E-Mail-Adresse ein.
field-error-invalid-phone = Geben Sie eine gültige Telefonnummer ein (Ziffern, Leerzeichen, + und -).
field-error-invalid-codice-fiscale = Dieser Codice fiscale ist ungültig (prüfen Sie die Buchstaben und das Prüfzeichen am Ende).
field-error-invalid-nir = Diese NIR ist ungültig (13 Ziffern und ein 2-stelliger Prüfschlüssel, der passen muss).
field-error-invalid-kvnr = Diese KVNR ist ungültig (ein Buchstabe, 8 Ziffern und eine Prüfziffer).
field-error-invalid-sex = Wählen Sie eine der Optionen.
field-error-invalid-language = Wählen Sie eine der angebotenen Sprachen.
field-error-invalid = Dieser Wert ist ungültig.
conflict-title = Zwischenzeitlich geändert
conflict-explain = Dieser Datensatz wurde am { $when } von { $who } geändert, während Sie ihn bearbeitet haben. Ihre Änderungen wurden nicht gespeichert.
conflict-what-now = Öffnen Sie die aktuelle Version und geben Sie Ihre Änderungen erneut ein. Sie sind unten aufgeführt, damit nichts verloren geht.
conflict-reload = Aktuelle Version öffnen
conflict-view = Datensatz anzeigen
conflict-your-changes = Ihre Änderungen
merge-title = Duplikat zusammenführen
merge-explain = Führen Sie { $name } mit einem anderen Datensatz derselben Person zusammen. Kennungen und Kontaktdaten, die im anderen Datensatz fehlen, werden übernommen; dieser Datensatz wird als inaktiv markiert und verweist auf den anderen. Die Zusammenführung wird im Audit-Protokoll festgehalten.
merge-into = ID des beizubehaltenden Datensatzes
merge-into-hint = Öffnen Sie den beizubehaltenden Datensatz und kopieren Sie die ID aus seiner Adresse.
merge-submit = Zusammenführen
merge-done = Datensätze zusammengeführt.

## Patientenakte
chart-alerts = Warnhinweise
chart-allergy = Allergie
chart-high-risk = hohes Risiko
chart-no-known-allergies = Keine bekannten Allergien
chart-sections = Bereiche der Akte
chart-tab-timeline = Verlauf
chart-tab-details = Stammdaten
chart-tab-clinical = Krankenakte
chart-tab-appointments = Termine
chart-tab-documents = Dokumente
chart-tab-empty = Hier ist noch nichts erfasst.
live-changed-by = Geändert von
live-reload = Neu laden
timeline-type = Art
timeline-all = Alle
timeline-from = Von
timeline-to = Bis
timeline-empty = Keine Einträge in diesem Zeitraum.
timeline-error-dates = Das Startdatum muss vor dem Enddatum liegen.
kind-encounter = Konsultation
kind-observation = Befund
kind-condition = Diagnose
kind-allergy = Allergie
kind-medication = Verordnung
kind-procedure = Prozedur
kind-document = Dokument
kind-appointment = Termin
kind-questionnaire = Untersuchung
kind-lab = Laborbefund
kind-immunization = Impfung
kind-change = Datensatz geändert
kind-other = Sonstiges

## Audit-Protokoll
audit-actor = Wer
audit-action = Aktion
audit-record-type = Datensatztyp
audit-record = Datensatz
audit-outcome = Ergebnis
audit-origin = Herkunft
audit-when = Zeitpunkt
audit-none = Keine passenden Ereignisse.
audit-export-csv = Als CSV exportieren
audit-access-report = Wer hat auf diese Akte zugegriffen
audit-access-report-explain = Alle Lese- und Änderungszugriffe auf die Akte dieses Patienten, wie für eine Auskunft nach der DSGVO erforderlich.
field-error-invalid-choice = Bitte wählen Sie eine der Optionen.
field-error-invalid-postal-code = Bitte geben Sie eine gültige Postleitzahl ein.
field-error-invalid-country = Bitte geben Sie den zweistelligen Ländercode ein (IT, FR, DE…).
field-error-invalid-system = Bitte wählen Sie die Art der Kennung.
field-error-duplicate-identifier = Diese Kennung wurde doppelt eingegeben.
identifier-practice = Patientennummer der Praxis
error-staff-only = Dieser Arbeitsbereich ist dem Praxispersonal vorbehalten. Patientinnen und Patienten erreichen ihre Akte über die Apps der Praxis.
