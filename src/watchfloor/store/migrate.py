"""Create, upgrade and check the store's schema with the Alembic migrations shipped inside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from watchfloor.store.engine import StoreError, describe

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise StoreError(f"no migrations found in {MIGRATIONS}; reinstall watchfloor")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    """The store's revision next to this code's; raises StoreError when the store is newer."""
    current = current_revision(engine)
    head = head_revision()
    if current is not None and current != head:
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if current not in known:
            raise StoreError(
                f"the store at {describe(engine.url.render_as_string(hide_password=False))} "
                f"has schema revision {current}, which this version of watchfloor does not know "
                f"(newest it knows: {head}). It was written by a newer watchfloor: upgrade "
                "watchfloor, or point WATCHFLOOR_DATABASE_URL / WATCHFLOOR_HOME at another store."
            )
    return SchemaState(current=current, head=head)


def upgrade(engine: Engine) -> SchemaState:
    """Create the store or bring it to the newest schema (`alembic upgrade head`)."""
    before = schema_state(engine)
    if not before.up_to_date:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return before


def require_current(engine: Engine, *, create: bool = False) -> None:
    """Refuse to work on a store whose schema is not this code's; `create` makes a new store."""
    state = schema_state(engine)
    if state.up_to_date:
        return
    where = describe(engine.url.render_as_string(hide_password=False))
    if state.current is None:
        if create:
            upgrade(engine)
            return
        raise StoreError(f"no watchfloor store at {where}; run `watchfloor init` to create one")
    raise StoreError(
        f"the store at {where} has schema revision {state.current}, older than this code's "
        f"{state.head}; run `watchfloor init` to upgrade it"
    )
