"""The one-stop office (Bộ phận tiếp nhận và trả kết quả): the officers'
desk, reception, processing steps, transfers, results and deadlines.

It reads and writes the dossiers of ``eservices`` (the desk manages them,
DESIGN.md); every change of a dossier goes through ``actions``."""


def includeme(config):
    config.scan(".")
