# Interfaccia web di Cartella — italiano. Ogni messaggio deve esistere in it, fr e de (un test lo verifica).

## Struttura della pagina
skip-to-content = Vai al contenuto
main-navigation = Menu principale
account = Il mio account
sign-in = Accedi
sign-out = Esci
language = Lingua
change-language = Cambia
search-patients = Cerca pazienti
search-placeholder = Cerca pazienti: nome, data di nascita o identificativo
back-home = Torna alla pagina iniziale
back-to-sign-in = Torna all'accesso
cancel = Annulla
save = Salva
verify = Verifica
nav-home = Home
nav-patients = Pazienti
nav-staff = Personale
nav-settings = Impostazioni dello studio
nav-audit = Registro attività

## Accesso
email = E-mail
password = Password
practice-code = Codice studio
practice-code-hint = Necessario solo se lavora per più di uno studio.
practice-code-rules = Lettere minuscole, cifre e trattini, ad es. studio-rossi. Serve per accedere e compare nei link.
forgot-password = Password dimenticata?
notice-signed-out = Disconnessione effettuata.
notice-password-reset = La password è stata modificata. Acceda con la nuova password.
notice-setup-done = Lo studio è pronto. Acceda come amministratore.
mfa-title = Verifica in due passaggi
mfa-explain = Inserisca il codice a 6 cifre generato dall'app di autenticazione oppure uno dei Suoi codici di recupero.
mfa-code = Codice
mfa-code-hint = 6 cifre oppure un codice di recupero
error-invalid-credentials = E-mail o password errate, oppure troppi tentativi. Riprovi più tardi.
error-invalid-code = Il codice è errato o scaduto.
error-rate-limited = Troppi tentativi. Riprovi tra { $seconds } secondi.
error-check-fields = Corregga i campi evidenziati.
error-internal = Si è verificato un errore da parte nostra. I Suoi dati sono al sicuro; riprovi.
error-title = Errore
error-csrf-title = Modulo scaduto
error-csrf = Non è stato possibile verificare questo modulo (potrebbe essere scaduto o provenire da un altro sito). Torni indietro, ricarichi la pagina e riprovi.
error-forbidden-title = Accesso non consentito
error-forbidden = Il Suo ruolo non consente l'accesso a questa pagina.
error-not-found-title = Non trovato
error-not-found = La pagina o la scheda richiesta non esiste.
error-current-password = La password attuale non è corretta.
error-setup-token = Questo codice di configurazione è errato, scaduto o già utilizzato. Usi il codice mostrato da cartella serve.

## Primo avvio
setup-title = Configura Cartella
setup-explain = Crei lo studio e il suo primo amministratore. Serve il codice di configurazione mostrato nella console del server.
setup-token = Codice di configurazione
setup-token-hint = Mostrato da "cartella serve" al primo avvio.
setup-practice = Lo studio
setup-admin = Il primo amministratore
setup-submit = Crea lo studio
practice-name = Nome dello studio
time-zone = Fuso orario
full-name = Nome e cognome

## Password
password-rules = Almeno 12 caratteri, con lettere maiuscole e minuscole, una cifra e un simbolo.
password-problem-too-short = usi almeno 12 caratteri
password-problem-too-long = usi al massimo 256 caratteri
password-problem-no-uppercase = aggiunga una lettera maiuscola
password-problem-no-lowercase = aggiunga una lettera minuscola
password-problem-no-digit = aggiunga una cifra
password-problem-no-symbol = aggiunga un simbolo, ad esempio ! ? # o %
password-problem-common = questa password è troppo comune (compare negli elenchi di password trafugate)
password-problem-contains-email = non usi il Suo indirizzo e-mail nella password
reset-explain = Inserisca il Suo indirizzo e-mail: se corrisponde a un account, Le invieremo un link per scegliere una nuova password.
reset-send = Invia il link
reset-sent = Se l'indirizzo corrisponde a un account, riceverà a breve un link per scegliere una nuova password. Il link ha una validità limitata.
reset-title = Scelta della nuova password
reset-submit = Salva la nuova password
new-password = Nuova password
current-password = Password attuale
change-password = Cambia password

## Account
notice-language-saved = Lingua salvata.
notice-password-changed = Password modificata. Gli altri dispositivi sono stati disconnessi.
two-factor = Verifica in due passaggi
two-factor-on = La verifica in due passaggi è attiva.
two-factor-off = La verifica in due passaggi non è attiva. La attivi per proteggere i dati dei pazienti con un secondo passaggio al momento dell'accesso.
two-factor-enable = Attiva la verifica in due passaggi
two-factor-required = Il Suo studio richiede la verifica in due passaggi per il Suo ruolo. La configuri per continuare.
two-factor-step-app = Installi un'app di autenticazione (ad esempio FreeOTP, Aegis o Google Authenticator).
two-factor-step-scan = Inquadri questo codice QR con l'app.
two-factor-manual = Oppure inserisca manualmente questa chiave:
two-factor-step-code = Inserisca il codice a 6 cifre mostrato dall'app.
recovery-new = Nuovi codici di recupero
recovery-title = I Suoi codici di recupero
recovery-explain = Ogni codice può essere usato una sola volta, in caso di smarrimento del telefono. Li stampi o li conservi in un luogo sicuro: non verranno più mostrati.
recovery-saved = Li ho salvati
sessions = Sessioni
sign-out-everywhere = Esci da tutti i dispositivi
sign-out-everywhere-explain = Chiude la sessione su tutti i computer, tablet e app, compreso questo.
field-error-required = Campo obbligatorio.
field-error-time-zone = Scelga un fuso orario dall'elenco.
field-error-language = Scelga una delle lingue disponibili.

## Pagina iniziale
home-greeting = Buongiorno, { $name }
home-front-desk = Accettazione
home-open-encounters = Visite in corso
home-no-open-encounters = Nessuna visita in corso.
home-recent-patients = Pazienti aggiornati di recente
home-no-recent = Nessun paziente registrato.
home-admin = Amministrazione
home-staff-count = { $count ->
    [one] { $count } operatore
   *[other] { $count } operatori
}
patient-new = Nuovo paziente
yes = Sì
no = No
done = Fatto

## Ruoli
role-administrator = Amministratore
role-doctor = Medico
role-surgeon = Chirurgo
role-dentist = Odontoiatra
role-nurse = Infermiere
role-physiotherapist = Fisioterapista
role-hygienist = Igienista dentale
role-secretary = Segreteria
role-patient = Paziente
role-external = Collaboratore esterno

## Gestione del personale
staff-add = Aggiungi un operatore
staff-edit = Modifica ruoli
staff-roles = Ruoli
staff-status = Stato
staff-active = Attivo
staff-disabled = Disattivato
staff-locked = Bloccato dopo accessi non riusciti
staff-enable = Attiva
staff-disable = Disattiva
staff-reset-2fa = Reimposta la verifica in due passaggi
staff-invite-explain = Il nuovo operatore riceverà un'e-mail con un link per scegliere la password.
staff-roles-required = Scelga almeno un ruolo.
notice-staff-invited = Invito inviato.
notice-staff-saved = Modifiche salvate.
clients-title = Client API
clients-add = Aggiungi un client API
clients-name = Nome
clients-id = ID client
clients-secret = Chiave segreta del client
clients-scopes = Ambiti (scope)
clients-scopes-hint = Scope SMART separati da spazi, ad es. system/*.read system/Observation.write
clients-redirects = URI di reindirizzamento
clients-redirects-hint = Solo per le app che fanno accedere gli utenti; separi più URI con uno spazio.
clients-rate-limit = Richieste all'ora
clients-rate-limit-hint = Lasci vuoto per usare il valore predefinito del server; 0 significa nessun limite.
clients-none = Nessun client API configurato.
clients-secret-once = Copi subito la chiave segreta: viene mostrata una sola volta.
field-error-whole-number = Inserisca un numero intero maggiore o uguale a 0.

## Impostazioni dello studio
settings-address = Indirizzo
settings-phone = Telefono
settings-default-language = Lingua predefinita
settings-mfa-roles = Verifica in due passaggi obbligatoria per
settings-mfa-roles-hint = Gli operatori con questi ruoli devono configurare la verifica in due passaggi prima di poter lavorare.
notice-settings-saved = Impostazioni salvate.

## Pazienti
search = Cerca
edit = Modifica
filter = Filtra
page-first = Prima pagina
page-next = Successiva
page-previous = Precedente
page-older = Meno recenti
patient-status = Stato
patient-status-active = Attivo
patient-status-inactive = Non attivo
patient-status-all = Tutti
patient-name = Nominativo
patient-family = Cognome
patient-given = Nome/i
patient-birth-date = Data di nascita
patient-sex = Sesso
sex-female = Femmina
sex-male = Maschio
sex-other = Altro
sex-unknown = Non noto
patient-identifier = Identificativo
patient-identifiers = Identificativi
patient-identifier-type = Tipo
patient-identifier-value = Numero
identifier-codice-fiscale = Codice fiscale
identifier-nir = Numero di previdenza sociale francese (NIR)
identifier-kvnr = Numero di assicurazione sanitaria tedesco (KVNR)
identifier-other = Altro identificativo
patient-phone = Telefono
patient-contacts = Recapiti e indirizzo
patient-address = Via e numero civico
patient-postal-code = CAP
patient-city = Città
patient-country = Paese
patient-language = Lingua preferita
patient-emergency-contact = Contatto di emergenza
patient-relationship = Rapporto con il paziente
patient-gp = Medico di medicina generale
patient-notes = Note
patient-identity = Dati anagrafici
patient-none-found = Nessun paziente corrisponde alla ricerca.
patient-none-yet = Nessun paziente ancora registrato.
patient-edit = Modifica anagrafica
patient-created = Paziente registrato.
patient-saved = Modifiche salvate.
patient-deactivate = Disattiva
patient-age = { $years ->
    [one] { $years } anno
   *[other] { $years } anni
}
patient-duplicate-warning = Esiste già un paziente registrato con lo stesso nome e la stessa data di nascita. Verifichi che non si tratti della stessa persona.
patient-duplicate-confirm = È una persona diversa: registra comunque
field-error-too-long = Testo troppo lungo.
field-error-invalid-date = Inserisca una data valida.
field-error-future-date = La data non può essere futura.
field-error-invalid-email = Inserisca un indirizzo e-mail valido.
field-error-invalid-phone = Inserisca un numero di telefono valido (cifre, spazi, + e -).
field-error-invalid-codice-fiscale = Codice fiscale non valido (controlli le lettere e il carattere di controllo finale).
field-error-invalid-nir = NIR non valido (13 cifre e una chiave di controllo di 2 cifre che deve corrispondere).
field-error-invalid-kvnr = KVNR non valido (una lettera, 8 cifre e una cifra di controllo).
field-error-invalid-sex = Scelga una delle opzioni.
field-error-invalid-language = Scelga una delle lingue disponibili.
field-error-invalid = Valore non valido.
conflict-title = Modificata nel frattempo
conflict-explain = Questa scheda è stata modificata da { $who } il { $when } mentre Lei la stava modificando. Le Sue modifiche non sono state salvate.
conflict-what-now = Apra la versione attuale e inserisca di nuovo le Sue modifiche. Sono riportate qui sotto, così non andrà perso nulla.
conflict-reload = Apri la versione attuale
conflict-view = Visualizza la scheda
conflict-your-changes = Le Sue modifiche
merge-title = Unisci duplicato
merge-explain = Unisca { $name } a un'altra scheda della stessa persona. Gli identificativi e i recapiti assenti nell'altra scheda vengono copiati; questa scheda viene contrassegnata come non attiva e rimanda all'altra. L'unione viene annotata nel registro attività.
merge-into = ID della scheda da mantenere
merge-into-hint = Apra la scheda da mantenere e copi l'ID dal suo indirizzo.
merge-submit = Unisci
merge-done = Schede unite.

## Cartella clinica
chart-alerts = Avvisi
chart-allergy = Allergia
chart-high-risk = rischio elevato
chart-no-known-allergies = Nessuna allergia nota
chart-sections = Sezioni della cartella
chart-tab-timeline = Cronologia
chart-tab-details = Anagrafica
chart-tab-clinical = Dati clinici
chart-tab-appointments = Appuntamenti
chart-tab-documents = Documenti
chart-tab-empty = Ancora nessun dato registrato.
live-changed-by = Modificato da
live-reload = Ricarica
timeline-type = Tipo
timeline-all = Tutti
timeline-from = Dal
timeline-to = Al
timeline-empty = Nessun elemento in questo periodo.
timeline-error-dates = La data di inizio deve precedere la data di fine.
kind-encounter = Visita
kind-observation = Rilevazione
kind-condition = Diagnosi
kind-allergy = Allergia
kind-medication = Prescrizione
kind-procedure = Procedura
kind-document = Documento
kind-appointment = Appuntamento
kind-questionnaire = Esame obiettivo
kind-lab = Referto di laboratorio
kind-immunization = Vaccinazione
kind-change = Scheda modificata
kind-other = Altro

## Registro attività
audit-actor = Chi
audit-action = Azione
audit-record-type = Tipo di record
audit-record = Record
audit-outcome = Esito
audit-origin = Provenienza
audit-when = Quando
audit-none = Nessun evento corrisponde ai criteri.
audit-export-csv = Esporta CSV
audit-access-report = Chi ha consultato questa scheda
audit-access-report-explain = Ogni consultazione e modifica della scheda di questo paziente, come richiesto per il report sugli accessi previsto dal GDPR.
field-error-invalid-choice = Selezioni una delle opzioni.
field-error-invalid-postal-code = Inserisca un CAP valido.
field-error-invalid-country = Inserisca il codice del paese di due lettere (IT, FR, DE…).
field-error-invalid-system = Scelga il tipo di identificativo.
field-error-duplicate-identifier = Questo identificativo è stato inserito due volte.
identifier-practice = Numero paziente dello studio
error-staff-only = Quest'area di lavoro è riservata al personale dello studio. I pazienti accedono alla propria cartella tramite le app offerte dallo studio.
