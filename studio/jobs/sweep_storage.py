"""The one reader of a sweep's storage (`--storage`, a sweep spec's `storage`, --join, the dialog): an Optuna
storage opened with a message for every problem, never a traceback.

Forms: `sqlite:///FILE` (the default, `.sweeps.sqlite3` beside the runs), a path ending in .db / .sqlite /
.sqlite3, `postgresql://…` / `mysql://…` (any SQLAlchemy URL, for a team), and a journal file, `journal:FILE`
or a path ending in .journal / .log (Optuna's JournalFileBackend: one file that workers on a shared folder
append to). An SQLite file is checked before Optuna touches it (another program's database is never taken
over), and a new one is created under a lock on its folder: two workers starting at once would otherwise
race to create Optuna's tables (`UNIQUE constraint failed: alembic_version.version_num`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.core import diskspace
from studio.core.sweep_spec import SweepError

JOURNAL_PREFIX = "journal:"
JOURNAL_SUFFIXES = (".journal", ".log")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
SQLITE_MAGIC = b"SQLite format 3\x00"
OPTUNA_TABLES = {"studies", "trials"}
EXPECTED = ("expected sqlite:///FILE, postgresql://USER:PASSWORD@HOST/DB, mysql://USER:PASSWORD@HOST/DB, or "
            "journal:FILE (a journal file; a path ending in .journal or .log is one too)")
DRIVERS = {"postgresql": "the psycopg2 driver: pip install psycopg2-binary",
           "mysql": "the mysqlclient driver: pip install mysqlclient (or use mysql+pymysql:// after "
                    "pip install pymysql)"}
RETRIES = 5


def _bad(storage: str, why: str) -> SweepError:
    return SweepError([f"--storage {_shown(storage)}: {why}"])


def _shown(storage: str) -> str:
    """The storage as it may be printed: a database password is hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(storage).render_as_string(hide_password=True) if "://" in storage else storage
    except Exception:  # noqa: BLE001 - anything unreadable is shown as given
        return storage


def journal_path(storage: str) -> Path | None:
    """The journal file a storage names (journal:FILE, or a path ending in .journal / .log), else None."""
    if storage.startswith(JOURNAL_PREFIX):
        return Path(storage[len(JOURNAL_PREFIX):].strip()).expanduser()
    if "://" not in storage and storage.lower().endswith(JOURNAL_SUFFIXES):
        return Path(storage).expanduser()
    return None


def open_storage(storage: str) -> Any:
    """An Optuna storage object for `storage`; SweepError naming what is wrong and what is expected."""
    text = storage.strip()
    if not text:
        raise _bad(storage, f"no storage given: {EXPECTED}")
    if (journal := journal_path(text)) is not None:
        return _journal(text, journal)
    if "://" not in text and text.lower().endswith(SQLITE_SUFFIXES):
        text = f"sqlite:///{Path(text).expanduser().resolve()}"
    scheme, sep, _rest = text.partition("://")
    dialect = scheme.split("+")[0].lower()
    if not sep or not dialect:
        raise _bad(storage, f"cannot read the storage: {EXPECTED}")
    if dialect in ("http", "https", "grpc"):
        raise _bad(storage, f"{dialect}:// is not an Optuna storage (a database URL or a file): {EXPECTED}")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        database = make_url(text).database
    except ArgumentError:
        raise _bad(storage, f"cannot read the storage: {EXPECTED}") from None
    sqlite_file = None
    if dialect == "sqlite":
        if not database or database == ":memory:":
            raise _bad(storage, "an SQLite storage in memory is lost when the sweep ends: give a file, "
                                "sqlite:///FILE")
        sqlite_file = Path(database).expanduser()
        _check_sqlite(storage, sqlite_file)
    return _rdb(storage, text, dialect, sqlite_file)


# ------------------------------------------------------------------ files, checked before Optuna opens them
def _check_place(storage: str, path: Path, what: str) -> None:
    if path.is_dir():
        raise _bad(storage, f"{path} is a folder; give a file in it, e.g. {path / ('sweeps' + what)}")
    if not path.parent.is_dir():
        raise _bad(storage, f"the folder {path.parent} does not exist; create it or choose a file in an "
                            "existing folder")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise _bad(storage, f"{path} is read-only; make it writable (chmod u+rw) or choose another file")
    if not os.access(path.parent, os.W_OK):
        raise _bad(storage, f"the folder {path.parent} is read-only; choose a file in a folder you can write")


def _check_sqlite(storage: str, path: Path) -> None:
    _check_place(storage, path, ".sqlite3")
    if not path.is_file() or path.stat().st_size == 0:
        return  # a new storage
    with open(path, "rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise _bad(storage, f"{path} is not an SQLite database (it is damaged, or another file); remove it "
                                "or choose another file")
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    except sqlite3.DatabaseError as exc:
        raise _bad(storage, f"{path} is a damaged SQLite database ({exc}); remove it or choose another "
                            "file") from None
    if tables and not OPTUNA_TABLES.issubset(tables):
        shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
        raise _bad(storage, f"{path} is another program's SQLite database (its tables: {shown}), not a sweep "
                            "storage; choose a new file, e.g. .sweeps.sqlite3 beside the runs")


def _journal(storage: str, path: Path) -> Any:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    _check_place(storage, path, ".journal")
    try:
        journal = JournalStorage(JournalFileBackend(str(path)))
        journal.get_all_studies()  # reads the file: a damaged one is told now, not mid-sweep
    except Exception as exc:  # noqa: BLE001 - whatever the backend raises on a file it cannot read
        raise _bad(storage, f"{path} cannot be read as an Optuna journal ({type(exc).__name__}: {exc}); "
                            "choose another file") from None
    return journal


@contextlib.contextmanager
def _folder_lock(folder: Path | None) -> Iterator[None]:
    """An exclusive lock on `folder` (POSIX flock on its descriptor: no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # Windows: the retries below are the guard
        yield
        return
    if folder is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _rdb(storage: str, url: str, dialect: str, sqlite_file: Path | None) -> Any:
    from optuna.storages import RDBStorage
    from sqlalchemy import exc as sa

    for attempt in range(RETRIES):
        try:
            with _folder_lock(sqlite_file.parent if sqlite_file else None):
                return RDBStorage(url)
        except ImportError as exc:
            driver = DRIVERS.get(dialect, f"its database driver ({exc.name or exc})")
            raise _bad(storage, f"a {dialect} storage needs {driver}") from None
        except sa.NoSuchModuleError:
            raise _bad(storage, f"cannot read the storage: {dialect}:// is not a kind of database Optuna can use; "
                                f"{EXPECTED}") from None
        except sa.ArgumentError:
            raise _bad(storage, f"cannot read the storage: {EXPECTED}") from None
        except (sa.IntegrityError, sa.OperationalError) as exc:
            # another worker created the tables at the same moment (a database server has no folder lock)
            racing = any(w in str(exc) for w in ("already exists", "UNIQUE constraint", "Duplicate", "locked"))
            if racing and attempt + 1 < RETRIES:
                time.sleep(0.2 * (attempt + 1))
                continue
            raise SweepError([storage_problem(exc, storage)]) from None
        except (sa.SQLAlchemyError, RuntimeError) as exc:  # RuntimeError: another Optuna's schema
            raise SweepError([storage_problem(exc, storage)]) from None
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


# ------------------------------------------------------------------ problems while a sweep runs
def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc = exc.__cause__ or exc.__context__
        seen += 1


def _place(storage: str) -> str:
    if (journal := journal_path(storage)) is not None:
        return str(journal.parent)
    with contextlib.suppress(Exception):
        from sqlalchemy.engine import make_url

        url = make_url(storage)
        if url.get_backend_name() == "sqlite" and url.database:
            return str(Path(url.database).parent)
    return ""


def storage_problem(exc: BaseException, storage: str) -> str:
    """What a storage error means for the user (Optuna wraps a full disk as "exceeding max length")."""
    texts = [str(e) for e in _chain(exc)]
    shown = _shown(storage)
    if any(diskspace.is_disk_full(e) for e in _chain(exc)) or any("disk is full" in t for t in texts):
        where = _place(storage)
        return (f"the sweep's storage {shown} cannot be written: the disk is full"
                + (f"; free some space in {where}" if where else "; free some space on the database's disk")
                + ", then run the same command again to resume (or choose another --storage)")
    if any("readonly database" in t or "read-only" in t for t in texts):
        return f"the sweep's storage {shown} is read-only; make it writable or choose another --storage"
    first = next((t for t in reversed(texts) if t), type(exc).__name__).splitlines()[0]
    return f"the sweep's storage {shown} cannot be used: {first}"


def is_storage_error(exc: BaseException, storage: str) -> bool:
    """Whether `exc` came from the storage (a database, Optuna's storage layer; an OSError only from a journal
    file, since the runs' own files raise those too)."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, OSError):
        return journal_path(storage.strip()) is not None
    return isinstance(exc, (optuna.exceptions.StorageInternalError, SQLAlchemyError, sqlite3.Error))
