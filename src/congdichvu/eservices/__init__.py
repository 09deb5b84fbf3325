"""Online public services: submitting dossiers (drafts, steps, papers),
their codes, receipts and history, "Hồ sơ của tôi", and the public lookup."""


def includeme(config):
    config.scan(".views")
    config.scan(".submission_views")
    config.scan(".dossier_views")
