# Appointment reminders and notifications (e-mail and SMS texts).
reminder-subject = Reminder: your appointment on { $when }
reminder-email = Hello,

    this is a reminder of your appointment at { $practice } on { $when }.

    If you cannot come, please cancel it with this link (it works once):
    { $link }

    Thank you. { $practice } { $phone }
reminder-sms = { $practice }: reminder of your appointment on { $when }. To cancel: { $link }
offer-subject = An earlier appointment is available on { $when }
offer-email = Hello,

    you are on the waiting list of { $practice }. An appointment has become free on { $when }.

    If you would like it, please contact us as soon as possible: { $phone }. The first to confirm gets the appointment.

    { $practice }
offer-sms = { $practice }: an appointment is free on { $when }. If you would like it, please call { $phone }.
cancel-link-title = Cancel your appointment
cancel-link-question = Do you want to cancel your appointment on { $when }?
cancel-link-confirm = Yes, cancel the appointment
cancel-link-done = Your appointment on { $when } has been cancelled. Thank you for letting us know.
cancel-link-used = This link has already been used.
cancel-link-changed = This appointment has been changed or cancelled in the meantime. Please contact the practice.
cancel-link-unknown = This link is not valid.
