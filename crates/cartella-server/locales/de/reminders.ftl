# Appointment reminders and notifications (e-mail and SMS texts).
