"""Asking the gateway about payments whose report never came."""


def includeme(config):
    pass
