# Clinical record (encounters, vitals, diagnoses, allergies, prescriptions, labs).
