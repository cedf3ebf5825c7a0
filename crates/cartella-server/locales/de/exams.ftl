# Guided examinations (questionnaire templates, answers).
