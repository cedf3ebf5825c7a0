# Appointment reminders and notifications (e-mail and SMS texts).
reminder-subject = Rappel : votre rendez-vous du { $when }
reminder-email = Madame, Monsieur,

    nous vous rappelons votre rendez-vous chez { $practice } le { $when }.

    Si vous ne pouvez pas venir, merci de l'annuler avec ce lien (il ne fonctionne qu'une fois) :
    { $link }

    Merci. { $practice } { $phone }
reminder-sms = { $practice } : rappel de votre rendez-vous le { $when }. Pour annuler : { $link }
offer-subject = Un rendez-vous s'est libéré le { $when }
offer-email = Madame, Monsieur,

    vous êtes sur la liste d'attente de { $practice }. Un rendez-vous s'est libéré le { $when }.

    S'il vous intéresse, contactez-nous dès que possible : { $phone }. Le rendez-vous revient à la première personne qui confirme.

    { $practice }
offer-sms = { $practice } : un rendez-vous s'est libéré le { $when }. S'il vous intéresse, appelez le { $phone }.
cancel-link-title = Annuler votre rendez-vous
cancel-link-question = Souhaitez-vous annuler votre rendez-vous du { $when } ?
cancel-link-confirm = Oui, annuler le rendez-vous
cancel-link-done = Votre rendez-vous du { $when } a été annulé. Merci de nous avoir prévenus.
cancel-link-used = Ce lien a déjà été utilisé.
cancel-link-changed = Ce rendez-vous a été modifié ou annulé entre-temps. Veuillez contacter le cabinet.
cancel-link-unknown = Ce lien n'est pas valide.
