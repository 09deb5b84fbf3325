"""Joining a name that came from outside to a directory, safely.

Every place that turns a name someone could influence (a paper's blank-form
file name, a draft token, a dossier file's storage key, an uploaded file's
id) into a path on disk goes through ``safe_join``: the name must be one
plain path segment, and the path must stay inside the directory even after
symbolic links are followed. Checking here, before anything is opened,
means a refused name never leaves a file behind.
"""
import unicodedata
from pathlib import Path

#: longest name most file systems accept (ext4, XFS, NTFS: 255 bytes or units)
MAX_NAME_BYTES = 255


class UnsafePath(ValueError):
    """A name that would not stay a plain file name inside its directory."""


def is_plain_name(name):
    """Whether ``name`` (str) is one path segment and nothing more: not
    empty, not "." or "..", no separator ("/" nor the Windows "\\"), no
    drive or stream colon, no NUL, control or invisible formatting
    character, at most 255 bytes in UTF-8."""
    if not isinstance(name, str) or name in ("", ".", ".."):
        return False
    if any(ch in "/\\:" or unicodedata.category(ch).startswith("C") for ch in name):
        return False
    return len(name.encode("utf-8")) <= MAX_NAME_BYTES


def safe_join(root, *names):
    """``root``/``names[0]``/``names[1]``… as a Path, after checking that
    each name is plain (``is_plain_name``) and that the result, with every
    symbolic link resolved, is ``root`` itself or inside it.

    Raises UnsafePath (a ValueError) otherwise. Nothing is created or
    opened; the path may not exist yet."""
    for name in names:
        if not is_plain_name(name):
            raise UnsafePath(repr(name))
    base = Path(root).resolve()
    path = base.joinpath(*names)
    resolved = path.resolve()
    if resolved != base and base not in resolved.parents:
        raise UnsafePath(repr("/".join(names)))
    return path
