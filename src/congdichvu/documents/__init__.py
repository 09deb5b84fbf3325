"""The one-stop office's official documents: the letterhead and the
standard forms of Circular 01/2018/TT-VPCP — Form 01 receipt, 02 supplement
request, 03 refusal, 04 apology, 05 process control as PDF (``forms``), and
Form 06, the dossier ledger, as XLSX and CSV (``ledger``, written by
``spreadsheets``, which any table downloaded as a file uses) — with QR codes
that open the public lookup; and the e-receipt for fees and charges paid
online (``e_receipt``, Decree 123/2020/NĐ-CP).

The renderers take the plain dataclasses of ``slips`` and a Vietnamese
``translate``, and return bytes; they know nothing of the database or the
request. ``letterhead`` is the one home of the fonts and the layout.
"""
