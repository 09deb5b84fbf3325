"""Online public services: dossiers, their codes and history (the
submission flow builds on these)."""


def includeme(config):
    pass
