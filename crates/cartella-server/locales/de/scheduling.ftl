# Scheduling (calendar, booking, conflicts, reminders).
