"""Payments: the fees a dossier owes (``fees``), paid online through a
gateway for level-4 procedures."""
