"""Online public services: dossiers, their codes and history, the public
lookup (the submission flow builds on these)."""


def includeme(config):
    config.scan(".views")
