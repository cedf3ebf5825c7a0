# Appointment reminders and notifications (e-mail and SMS texts).
reminder-subject = Erinnerung: Ihr Termin am { $when }
reminder-email = Guten Tag,

    wir erinnern Sie an Ihren Termin bei { $practice } am { $when }.

    Falls Sie nicht kommen können, sagen Sie den Termin bitte über diesen Link ab (er funktioniert nur einmal):
    { $link }

    Vielen Dank. { $practice } { $phone }
reminder-sms = { $practice }: Erinnerung an Ihren Termin am { $when }. Absagen: { $link }
offer-subject = Ein Termin am { $when } ist frei geworden
offer-email = Guten Tag,

    Sie stehen auf der Warteliste von { $practice }. Am { $when } ist ein Termin frei geworden.

    Wenn Sie ihn wünschen, melden Sie sich bitte so bald wie möglich: { $phone }. Wer zuerst bestätigt, erhält den Termin.

    { $practice }
offer-sms = { $practice }: Am { $when } ist ein Termin frei. Wenn Sie ihn wünschen, rufen Sie bitte { $phone } an.
cancel-link-title = Termin absagen
cancel-link-question = Möchten Sie Ihren Termin am { $when } absagen?
cancel-link-confirm = Ja, Termin absagen
cancel-link-done = Ihr Termin am { $when } wurde abgesagt. Vielen Dank für Ihre Nachricht.
cancel-link-used = Dieser Link wurde bereits verwendet.
cancel-link-changed = Dieser Termin wurde inzwischen geändert oder abgesagt. Bitte wenden Sie sich an die Praxis.
cancel-link-unknown = Dieser Link ist ungültig.
