# Cartella web UI — English. Every message here must exist in it, fr and de (a test checks).

## Layout
skip-to-content = Skip to content
main-navigation = Main navigation
account = My account
sign-in = Sign in
sign-out = Sign out
language = Language
change-language = Change
search-patients = Search patients
search-placeholder = Search patients: name, date of birth or ID
back-home = Back to the home page
back-to-sign-in = Back to sign-in
cancel = Cancel
save = Save
verify = Verify
nav-home = Home
nav-patients = Patients
nav-staff = Staff
nav-settings = Practice settings
nav-audit = Audit log

## Sign-in
email = E-mail
password = Password
practice-code = Practice code
practice-code-hint = Only needed if you work for more than one practice.
practice-code-rules = Lower-case letters, digits and hyphens, e.g. studio-rossi. Used to sign in and in links.
forgot-password = Forgot your password?
notice-signed-out = You have been signed out.
notice-password-reset = Your password has been changed. Sign in with the new password.
notice-setup-done = The practice is ready. Sign in as its administrator.
mfa-title = Two-step verification
mfa-explain = Enter the 6-digit code from your authenticator app, or one of your recovery codes.
mfa-code = Code
mfa-code-hint = 6 digits, or a recovery code
error-invalid-credentials = Wrong e-mail or password, or too many attempts. Please try again later.
error-invalid-code = The code is wrong or has expired.
error-rate-limited = Too many attempts. Try again in { $seconds } seconds.
error-check-fields = Please correct the highlighted fields.
error-internal = Something went wrong on our side. Your data is safe; please try again.
error-title = Error
error-csrf-title = Form expired
error-csrf = This form could not be verified (it may have expired or come from another site). Go back, reload the page and try again.
error-forbidden-title = Not allowed
error-forbidden = Your role does not allow this page.
error-not-found-title = Not found
error-not-found = The page or record does not exist.
error-current-password = The current password is not correct.
error-setup-token = This setup code is wrong, expired or already used. Use the code printed by cartella serve.

## First run
setup-title = Set up Cartella
setup-explain = Create the practice and its first administrator. You need the setup code printed in the server's console.
setup-token = Setup code
setup-token-hint = Printed by "cartella serve" on first start.
setup-practice = The practice
setup-admin = The first administrator
setup-submit = Create the practice
practice-name = Practice name
time-zone = Time zone
full-name = Full name

## Passwords
password-rules = At least 12 characters with upper- and lower-case letters, a digit and a symbol.
password-problem-too-short = use at least 12 characters
password-problem-too-long = use at most 256 characters
password-problem-no-uppercase = add an upper-case letter
password-problem-no-lowercase = add a lower-case letter
password-problem-no-digit = add a digit
password-problem-no-symbol = add a symbol such as ! ? # or %
password-problem-common = this password is too common (it appears in lists of leaked passwords)
password-problem-contains-email = do not use your e-mail address in the password
reset-explain = Enter your e-mail address: if it belongs to an account, we will send a link to choose a new password.
reset-send = Send the link
reset-sent = If the address belongs to an account, a link to choose a new password is on its way. It is valid for a limited time.
reset-title = Choose a new password
reset-submit = Save the new password
new-password = New password
current-password = Current password
change-password = Change password

## Account
notice-language-saved = Language saved.
notice-password-changed = Password changed. Other devices have been signed out.
two-factor = Two-step verification
two-factor-on = Two-step verification is on.
two-factor-off = Two-step verification is off. Turn it on to protect patient data with a second step at sign-in.
two-factor-enable = Turn on two-step verification
two-factor-required = Your practice requires two-step verification for your role. Set it up to continue.
two-factor-step-app = Install an authenticator app (for example FreeOTP, Aegis or Google Authenticator).
two-factor-step-scan = Scan this QR code with the app.
two-factor-manual = Or enter this key by hand:
two-factor-step-code = Enter the 6-digit code the app shows.
recovery-new = New recovery codes
recovery-title = Your recovery codes
recovery-explain = Each code works once, if you lose your phone. Print them or keep them somewhere safe: they will not be shown again.
recovery-saved = I have saved them
sessions = Sessions
sign-out-everywhere = Sign out everywhere
sign-out-everywhere-explain = Signs you out on every computer, tablet and app, including this one.
field-error-required = This field is required.
field-error-time-zone = Choose a time zone from the list.
field-error-language = Choose one of the languages offered.

## Home
home-greeting = Hello, { $name }
home-front-desk = Front desk
home-open-encounters = Open encounters
home-no-open-encounters = No open encounters.
home-recent-patients = Recently updated patients
home-no-recent = No patients yet.
home-admin = Administration
home-staff-count = { $count ->
    [one] { $count } member of staff
   *[other] { $count } members of staff
}
patient-new = New patient
yes = Yes
no = No
done = Done

## Roles
role-administrator = Administrator
role-doctor = Doctor
role-surgeon = Surgeon
role-dentist = Dentist
role-nurse = Nurse
role-physiotherapist = Physiotherapist
role-hygienist = Dental hygienist
role-secretary = Secretary
role-patient = Patient
role-external = External collaborator

## Staff administration
staff-add = Add a staff member
staff-edit = Edit roles
staff-roles = Roles
staff-status = Status
staff-active = Active
staff-disabled = Disabled
staff-locked = Locked after failed sign-ins
staff-enable = Enable
staff-disable = Disable
staff-reset-2fa = Reset two-step verification
staff-invite-explain = The new member receives an e-mail with a link to choose a password.
staff-roles-required = Choose at least one role.
notice-staff-invited = Invitation sent.
notice-staff-saved = Changes saved.
clients-title = API clients
clients-add = Add an API client
clients-name = Name
clients-id = Client ID
clients-secret = Client secret
clients-scopes = Scopes
clients-scopes-hint = SMART scopes separated by spaces, e.g. system/*.read system/Observation.write
clients-redirects = Redirect URIs
clients-redirects-hint = Only for apps that sign users in; separate several with spaces.
clients-rate-limit = Requests per hour
clients-rate-limit-hint = Leave empty for the server default; 0 means unlimited.
clients-none = No API clients yet.
clients-secret-once = Copy the secret now: it is shown only once.
field-error-whole-number = Enter a whole number of 0 or more.

## Practice settings
settings-address = Address
settings-phone = Phone
settings-default-language = Default language
settings-mfa-roles = Two-step verification required for
settings-mfa-roles-hint = Staff with these roles must set up two-step verification before they can work.
notice-settings-saved = Settings saved.

## Patients
search = Search
edit = Edit
filter = Filter
page-first = First page
page-next = Next
page-previous = Previous
page-older = Older
patient-status = Status
patient-status-active = Active
patient-status-inactive = Inactive
patient-status-all = All
patient-name = Name
patient-family = Surname
patient-given = First name(s)
patient-birth-date = Date of birth
patient-sex = Sex
sex-female = Female
sex-male = Male
sex-other = Other
sex-unknown = Unknown
patient-identifier = ID
patient-identifiers = Identifiers
patient-identifier-type = Type
patient-identifier-value = Number
identifier-codice-fiscale = Italian tax code (codice fiscale)
identifier-nir = French social security number (NIR)
identifier-kvnr = German health insurance number (KVNR)
identifier-other = Other identifier
patient-phone = Phone
patient-contacts = Contacts and address
patient-address = Street and number
patient-postal-code = Postal code
patient-city = City
patient-country = Country
patient-language = Preferred language
patient-emergency-contact = Emergency contact
patient-relationship = Relationship
patient-gp = General practitioner
patient-notes = Notes
patient-identity = Identity
patient-none-found = No patient matches.
patient-none-yet = No patients registered yet.
patient-edit = Edit patient
patient-created = Patient registered.
patient-saved = Changes saved.
patient-deactivate = Deactivate
patient-age = { $years ->
    [one] { $years } year
   *[other] { $years } years
}
patient-duplicate-warning = A patient with the same name and date of birth is already registered. Check that this is not the same person.
patient-duplicate-confirm = This is a different person: register anyway
field-error-too-long = This is too long.
field-error-invalid-date = Enter a valid date.
field-error-future-date = The date cannot be in the future.
field-error-invalid-email = Enter a valid e-mail address.
field-error-invalid-phone = Enter a valid phone number (digits, spaces, + and -).
field-error-invalid-codice-fiscale = This codice fiscale is not valid (check the letters and the final check character).
field-error-invalid-nir = This NIR is not valid (13 digits and a 2-digit key that must match).
field-error-invalid-kvnr = This KVNR is not valid (a letter, 8 digits and a check digit).
field-error-invalid-sex = Choose one of the options.
field-error-invalid-language = Choose one of the languages offered.
field-error-invalid = This value is not valid.
conflict-title = Changed in the meantime
conflict-explain = This record was changed by { $who } at { $when } while you were editing it. Your changes have not been saved.
conflict-what-now = Open the current version and enter your changes again. They are listed below so that nothing is lost.
conflict-reload = Open the current version
conflict-view = View the record
conflict-your-changes = Your changes
merge-title = Merge duplicate
merge-explain = Merge { $name } into another record of the same person. Identifiers and contacts missing on the other record are copied; this record is marked inactive and points to it. The merge is recorded in the audit log.
merge-into = ID of the record to keep
merge-into-hint = Open the record to keep and copy the ID from its address.
merge-submit = Merge
merge-done = Records merged.

## Chart
chart-alerts = Alerts
chart-allergy = Allergy
chart-high-risk = high risk
chart-no-known-allergies = No known allergies
chart-sections = Chart sections
chart-tab-timeline = Timeline
chart-tab-details = Personal details
chart-tab-clinical = Clinical record
chart-tab-appointments = Appointments
chart-tab-documents = Documents
chart-tab-empty = Nothing recorded here yet.
live-changed-by = Changed by
live-reload = Reload
timeline-type = Type
timeline-all = All
timeline-from = From
timeline-to = To
timeline-empty = Nothing in this period.
timeline-error-dates = The start date must be before the end date.
kind-encounter = Visit
kind-observation = Observation
kind-condition = Diagnosis
kind-allergy = Allergy
kind-medication = Prescription
kind-procedure = Procedure
kind-document = Document
kind-appointment = Appointment
kind-questionnaire = Examination
kind-lab = Lab report
kind-immunization = Vaccination
kind-change = Record changed
kind-other = Other

## Audit
audit-actor = Who
audit-action = Action
audit-record-type = Record type
audit-record = Record
audit-outcome = Outcome
audit-origin = From
audit-when = When
audit-none = No events match.
audit-export-csv = Export CSV
audit-access-report = Who accessed this record
audit-access-report-explain = Every read and change of this patient's record, as required for a GDPR access report.
field-error-invalid-choice = Choose one of the options.
field-error-invalid-postal-code = Enter a valid postal code.
field-error-invalid-country = Enter a two-letter country code (IT, FR, DE…).
field-error-invalid-system = Choose an identifier type.
field-error-duplicate-identifier = This identifier is entered twice.
identifier-practice = Practice patient number
error-staff-only = This workspace is for the practice staff. Patients reach their record through the apps the practice offers.
