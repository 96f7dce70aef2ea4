"""The record of one check: the questionnaire workflow, the typed record, verification, saving."""
