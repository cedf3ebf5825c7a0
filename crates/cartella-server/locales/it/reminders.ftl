# Appointment reminders and notifications (e-mail and SMS texts).
reminder-subject = Promemoria: il Suo appuntamento del { $when }
reminder-email = Gentile paziente,

    Le ricordiamo il Suo appuntamento presso { $practice } il { $when }.

    Se non potesse venire, La preghiamo di disdirlo con questo link (funziona una sola volta):
    { $link }

    Grazie. { $practice } { $phone }
reminder-sms = { $practice }: promemoria del Suo appuntamento il { $when }. Per disdire: { $link }
offer-subject = Si è liberato un appuntamento il { $when }
offer-email = Gentile paziente,

    Lei è in lista d'attesa presso { $practice }. Si è liberato un appuntamento il { $when }.

    Se Le interessa, ci contatti al più presto: { $phone }. L'appuntamento va al primo che conferma.

    { $practice }
offer-sms = { $practice }: si è liberato un appuntamento il { $when }. Se Le interessa, chiami il { $phone }.
cancel-link-title = Disdetta dell'appuntamento
cancel-link-question = Desidera disdire il Suo appuntamento del { $when }?
cancel-link-confirm = Sì, disdico l'appuntamento
cancel-link-done = Il Suo appuntamento del { $when } è stato disdetto. Grazie per averci avvisato.
cancel-link-used = Questo link è già stato utilizzato.
cancel-link-changed = Nel frattempo questo appuntamento è stato modificato o disdetto. La preghiamo di contattare lo studio.
cancel-link-unknown = Questo link non è valido.
