"""The public API as a contract: its OpenAPI 3.1 document, the page that
shows it, and the catalogue exchange format's JSON Schema at a stable
address (the API's own views live in the subsystems that own the data)."""


def includeme(config):
    config.scan(".views")
