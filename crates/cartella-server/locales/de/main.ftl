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
