"""Secret keys, kept outside the store: the audit log's MAC key and the acknowledgement-token
key.

A key is read from its environment variable (the key itself), else from the file another
variable names, else from `NAME.key` in the key folder: `$WATCHFLOOR_KEY_DIR`, else
`$XDG_CONFIG_HOME/watchfloor`, else `~/.config/watchfloor`; a missing file there is created
with a random key (0600, folder 0700). A key file inside the store's folder (`$WATCHFLOOR_HOME`)
is refused: whoever copies the store must not get the keys with it. Keys shorter than 32 bytes
are refused. docs/warn.md says where each key lives and how to rotate it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from watchfloor.errors import ConfigError
from watchfloor.settings import setting
from watchfloor.store.engine import home, private_dir

KEY_DIR_VAR = "WATCHFLOOR_KEY_DIR"
MIN_KEY_BYTES = 32


def key_dir() -> Path:
    configured = setting(KEY_DIR_VAR)
    if configured:
        return Path(configured)
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "watchfloor"


def _check_length(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{where}: the key is {len(key)} bytes; use at least {MIN_KEY_BYTES} random bytes "
            "(for example the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return key


def _outside_store(path: Path, variable: str) -> None:
    store = home().resolve()
    if path.resolve().is_relative_to(store):
        raise ConfigError(
            f"{path}: a key may not live inside the store's folder {store}; set {variable} "
            f"(or {KEY_DIR_VAR}) to a place outside it"
        )


def load_key(name: str, env: str, file_env: str) -> bytes:
    """The key `name`: from $`env`, else the file $`file_env` names, else NAME.key in key_dir()."""
    value = setting(env)
    if value:
        return _check_length(value.encode("utf-8"), f"${env}")
    named = setting(file_env)
    path = Path(named) if named else key_dir() / f"{name}.key"
    _outside_store(path, file_env)
    try:
        return _check_length(path.read_bytes().strip(), str(path))
    except FileNotFoundError:
        if named:
            raise ConfigError(f"{path} (${file_env}): no such key file") from None
    private_dir(path.parent)
    key = secrets.token_hex(32).encode("ascii")
    # O_EXCL: two processes creating the key at once must not end up with different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _check_length(path.read_bytes().strip(), str(path))
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
